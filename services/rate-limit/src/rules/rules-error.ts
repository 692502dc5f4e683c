/** A rules file that cannot be used; the message names the file and the field, e.g. `descriptors[0].rate_limit.unit`. */
export class RulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RulesError';
  }
}
