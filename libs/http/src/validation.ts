import { z } from 'zod';
import { AppError, FieldProblem } from '@roadloop/core';

export class ValidationError extends AppError {
  constructor(fields: FieldProblem[], what = 'request') {
    super('invalid', 'VALIDATION_FAILED', `invalid ${what}: ${fields.map((f) => f.field).join(', ')}`, fields);
  }
}

/** Parses input against a schema, or throws a ValidationError that names every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.flatMap((issue) => {
      // An unknown field is reported under its own name, not its parent's.
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((k) => ({ field: [...issue.path, k].join('.'), message: 'unknown field' }));
      }
      return [{ field: issue.path.length ? issue.path.join('.') : '(body)', message: issue.message }];
    }),
    what,
  );
}
