/**
 * Failure types an activity raises and a workflow reads: the names are the contract, so both sides
 * take them from here.
 */

/** An activity's failure when PostgreSQL refused a value (SQLSTATE class 22): a NUL, a year-0000 timestamp, a number out of range. */
export const DATABASE_DATA_ERROR = 'DatabaseDataError';
/** An activity's failure when PostgreSQL refused a row by a rule on the row alone (NOT NULL, CHECK, an unbalanced entry). */
export const DATABASE_CONSTRAINT_ERROR = 'DatabaseConstraintError';
