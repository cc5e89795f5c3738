/** How bad a preflight finding is: any `error` makes preflight fail. */
export const FindingSeverity = {
  ERROR: 'error',
  WARNING: 'warning',
  OK: 'ok',
} as const;
export type FindingSeverity = (typeof FindingSeverity)[keyof typeof FindingSeverity];

/** One thing preflight checked, about one resource. */
export interface Finding {
  severity: FindingSeverity;
  /** Which check, e.g. `exists`, `same-subnet`, `dry-run`, `path`. */
  check: string;
  /** The resource it is about, e.g. `eni-0abc (node lb-1 of group web-lb)`. */
  resource: string;
  message: string;
  /** What to do about it (errors and warnings). */
  fix?: string;
}

/** All findings of one preflight run. */
export interface PreflightReport {
  findings: Finding[];
  errors: number;
  warnings: number;
  /** True when there is no error. */
  ok: boolean;
}

/** Collects findings; each check adds to one. */
export class Findings {
  readonly list: Finding[] = [];

  error(check: string, resource: string, message: string, fix: string): void {
    this.list.push({ severity: FindingSeverity.ERROR, check, resource, message, fix });
  }

  warning(check: string, resource: string, message: string, fix: string): void {
    this.list.push({ severity: FindingSeverity.WARNING, check, resource, message, fix });
  }

  ok(check: string, resource: string, message: string): void {
    this.list.push({ severity: FindingSeverity.OK, check, resource, message });
  }

  report(): PreflightReport {
    const errors = this.list.filter((f) => f.severity === FindingSeverity.ERROR).length;
    const warnings = this.list.filter((f) => f.severity === FindingSeverity.WARNING).length;
    return { findings: [...this.list], errors, warnings, ok: errors === 0 };
  }
}
