/** Every label in both languages, in one place; the choice is kept in the browser. */
const LABELS = {
  appName: ['loanflow console', 'loanflow 管理台'],
  signIn: ['Sign in', '登录'],
  signOut: ['Sign out', '退出'],
  apiKey: ['API key', 'API 密钥'],
  apiKeyHint: [
    'Paste your staff API key (a dev stack prints them and keeps them in .data/api-keys.json).',
    '粘贴员工 API 密钥（本地环境启动时会打印，并保存在 .data/api-keys.json）。',
  ],
  signedInAs: ['Signed in as', '当前用户'],
  loading: ['Loading…', '加载中…'],
  retry: ['Retry', '重试'],
  queue: ['Review queue', '审核队列'],
  review: ['Review', '审核'],
  status: ['Status', '状态'],
  all: ['All', '全部'],
  dueBefore: ['Due before', '截止早于'],
  onlyEscalated: ['Escalated only', '仅已升级'],
  onlyMakerChecker: ['Maker-checker only', '仅双人复核'],
  apply: ['Apply', '筛选'],
  loadMore: ['Load more', '加载更多'],
  empty: ['Nothing here.', '暂无数据。'],
  id: ['ID', '编号'],
  grade: ['Grade', '等级'],
  proposedLimit: ['Proposed limit', '建议额度'],
  requestedLimit: ['Requested limit', '申请额度'],
  reviewers: ['Reviewers', '审核人数'],
  approvals: ['Approvals', '已批准'],
  due: ['Due', '截止时间'],
  timeLeft: ['Time left', '剩余时间'],
  escalated: ['escalated', '已升级'],
  makerChecker: ['maker-checker', '双人复核'],
  overdueBy: ['overdue by', '已超时'],
  left: ['left', '剩余'],
  back: ['← Queue', '← 返回队列'],
  applicant: ['Applicant', '申请人'],
  name: ['Name', '姓名'],
  idNumber: ['ID number', '身份证号'],
  phone: ['Phone', '手机号'],
  bankCard: ['Bank card', '银行卡'],
  product: ['Product', '产品'],
  timeZone: ['Borrower time zone', '借款人时区'],
  lineStatus: ['Credit line', '授信状态'],
  score: ['Score', '评分'],
  contributions: ['Score contributions', '评分构成'],
  characteristic: ['Characteristic', '特征'],
  value: ['Value', '取值'],
  points: ['Points', '分值'],
  reasons: ['Reasons', '原因'],
  bureau: ['Credit bureau', '征信报告'],
  bureauScore: ['Bureau score', '征信评分'],
  currentDebts: ['Current debts', '当前负债'],
  overdue24m: ['Overdue accounts (24 months)', '近 24 个月逾期次数'],
  maxDpd24m: ['Worst days past due (24 months)', '近 24 个月最长逾期天数'],
  pulledAt: ['Pulled', '查询时间'],
  checks: ['Lists and identity', '名单与身份核验'],
  lists: ['Lists', '名单'],
  notListed: ['not listed', '未命中'],
  identity: ['Four-element identity', '四要素核验'],
  matched: ['matched', '一致'],
  notMatched: ['not matched', '不一致'],
  answers: ["Applicant's answers", '申请人补充信息'],
  income: ['Monthly income', '月收入'],
  occupation: ['Occupation', '职业'],
  emergencyContact: ['Emergency contact', '紧急联系人'],
  decisions: ['Decisions given', '已有审核意见'],
  history: ['History', '审核记录'],
  decide: ['Your decision', '您的审核意见'],
  approve: ['Approve', '批准'],
  decline: ['Decline', '拒绝'],
  request_info: ['Request information', '要求补充信息'],
  reason: ['Reason (required)', '理由（必填）'],
  submit: ['Submit decision', '提交审核意见'],
  sending: ['Sending…', '提交中…'],
  sent: ['Decision recorded.', '审核意见已记录。'],
  youApproved: [
    'You approved this review; a second reviewer must complete it.',
    '您已批准，需另一位审核人复核。',
  ],
  closed: ['This review is closed.', '此审核已结束。'],
  you: ['you', '您'],
  noDossier: ['Not recorded for this application.', '此申请未记录。'],
  notYours: ['This role has no pages in the console yet.', '此角色暂无管理台页面。'],
} as const satisfies Record<string, readonly [string, string]>;

export type Label = keyof typeof LABELS;
export type Lang = 'en' | 'zh';

let lang: Lang = localStorage.getItem('lf.lang') === 'zh' ? 'zh' : 'en';

export const t = (key: Label): string => LABELS[key][lang === 'en' ? 0 : 1];
export const currentLang = (): Lang => lang;
export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem('lf.lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}
export const locale = (): string => (lang === 'zh' ? 'zh-CN' : 'en-GB');
