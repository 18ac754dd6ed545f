import {
  ApplicationFailure,
  DefaultFailureConverter,
  type PayloadConverter,
  type ProtoFailure,
  type SerializationContext,
} from '@temporalio/common';

/** ID (18 characters or 15 digits), card (12–19 digits) and phone numbers quoted in a text. */
const PII_IN_TEXT = /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{12,19}|1\d{10})(?![0-9A-Za-z])/g;
export const scrubPii = (text: string): string => text.replace(PII_IN_TEXT, '[redacted]');

/**
 * Messages and stack traces often quote the input ("card 6222… declined"), so they travel as an
 * encoded payload the codec then encrypts, leaving "Encoded failure" in clear. A rule refusal
 * (`DomainError`) keeps its message in clear too, scrubbed of numbers: it is written for the API
 * caller, and a failed query carries nothing but that clear message to the client, so without it
 * the API could only answer and log "Encoded failure". Its encrypted copy still decodes in full.
 *
 * Loaded by path (`failureConverterPath`) because workflow code runs in its own bundle: the worker
 * and `bundleWorkflowCode` both require() it. Workflow-safe: no Node APIs here.
 */
class LoanflowFailureConverter extends DefaultFailureConverter {
  override errorToFailure(
    err: unknown,
    payloadConverter: PayloadConverter,
    context?: SerializationContext,
  ): ProtoFailure {
    const failure = super.errorToFailure(err, payloadConverter, context);
    if (err instanceof ApplicationFailure && err.type === 'DomainError' && failure.encodedAttributes)
      failure.message = scrubPii(err.message);
    return failure;
  }
}

export const failureConverter = new LoanflowFailureConverter({ encodeCommonAttributes: true });
