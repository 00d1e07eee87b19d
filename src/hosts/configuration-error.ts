/** The gateway cannot start with this configuration; each line names what is wrong and where. */
export class ConfigurationError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
  }
}
