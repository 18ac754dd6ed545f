import fc from 'fast-check';
import {
  ageOn,
  birthDateOf,
  idCheckCharacter,
  isValidCardNumber,
  isValidIdNumber,
  isValidPhone,
  luhnCheckDigit,
} from '../../domain/identity';

const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));
const birth = fc
  .record({
    y: fc.integer({ min: 1900, max: 2020 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ y, m, d }) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`);
const body17 = fc.tuple(digits(6), birth, digits(3)).map(([region, b, seq]) => `${region}${b}${seq}`);

describe('GB 11643 ID numbers', () => {
  test('a published example is valid and its birth date reads back', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(birthDateOf('11010519491231002X')).toBe('1949-12-31');
  });

  test('idCheckCharacter makes a valid id from any body with a real birth date', () => {
    fc.assert(fc.property(body17, (body) => isValidIdNumber(`${body}${idCheckCharacter(body)}`)));
  });

  test('changing any one of the 17 digits breaks the check character', () => {
    fc.assert(
      fc.property(
        body17,
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 1, max: 9 }),
        (body, pos, delta) => {
          const id = `${body}${idCheckCharacter(body)}`;
          const changed = String((Number(id[pos]) + delta) % 10);
          const tampered = `${id.slice(0, pos)}${changed}${id.slice(pos + 1)}`;
          return !isValidIdNumber(tampered);
        },
      ),
    );
  });

  test('a wrong check character, bad length, lower-case x or impossible date is refused', () => {
    const body = '11010519900229123'; // 1990 is not a leap year
    expect(isValidIdNumber(`${body}${idCheckCharacter(body)}`)).toBe(false);
    expect(isValidIdNumber('11010519491231002x')).toBe(false);
    expect(isValidIdNumber('11010519491231002')).toBe(false);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
  });

  test('age counts whole years, the birthday itself included', () => {
    expect(ageOn('2000-06-15', '2018-06-14')).toBe(17);
    expect(ageOn('2000-06-15', '2018-06-15')).toBe(18);
    expect(ageOn('2000-02-29', '2018-02-28')).toBe(17);
  });
});

describe('Luhn card numbers', () => {
  test('luhnCheckDigit completes any 11–18 digit prefix into a valid card', () => {
    fc.assert(
      fc.property(fc.integer({ min: 11, max: 18 }).chain(digits), (prefix) =>
        isValidCardNumber(`${prefix}${luhnCheckDigit(prefix)}`),
      ),
    );
  });

  test('changing any single digit breaks it', () => {
    fc.assert(
      fc.property(digits(15), fc.nat(), fc.integer({ min: 1, max: 9 }), (prefix, at, delta) => {
        const card = `${prefix}${luhnCheckDigit(prefix)}`;
        const pos = at % card.length;
        const tampered = `${card.slice(0, pos)}${(Number(card[pos]) + delta) % 10}${card.slice(pos + 1)}`;
        return !isValidCardNumber(tampered);
      }),
    );
  });

  test('a known test card passes; letters and short numbers do not', () => {
    expect(isValidCardNumber('4111111111111111')).toBe(true);
    expect(isValidCardNumber('4111111111111112')).toBe(false);
    expect(isValidCardNumber('41111111111a1111')).toBe(false);
    expect(isValidCardNumber('41111111111')).toBe(false);
  });
});

describe('phones', () => {
  test('11 digits starting with 1', () => {
    expect(isValidPhone('13800138000')).toBe(true);
    expect(isValidPhone('23800138000')).toBe(false);
    expect(isValidPhone('1380013800')).toBe(false);
    expect(isValidPhone('+8613800138000')).toBe(false);
  });
});
