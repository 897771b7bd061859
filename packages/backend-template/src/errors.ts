// The errors of this backend. Request-time failures are core's MetricsErrors (the server renders
// them as Kubernetes Status objects); this file holds what is specific to the backend.

/** An invalid backend config: `field` is the path of the bad field, e.g. `custom[0].objectLabel`. */
export class TemplateConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`template backend config: ${field}: ${problem}`);
    this.name = 'TemplateConfigError';
  }
}
