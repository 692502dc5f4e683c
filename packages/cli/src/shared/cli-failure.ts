/** A command that ran but failed (call refused, service unreachable, credential missing): exit 1. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliFailure';
  }
}
