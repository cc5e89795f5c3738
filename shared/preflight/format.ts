import { type Finding, FindingSeverity, type PreflightReport } from './finding';

const MARK: Record<Finding['severity'], string> = {
  [FindingSeverity.ERROR]: 'ERROR',
  [FindingSeverity.WARNING]: 'WARN ',
  [FindingSeverity.OK]: 'ok   ',
};

function line(f: Finding): string[] {
  return [
    `${MARK[f.severity]} [${f.check}] ${f.resource}: ${f.message}`,
    ...(f.fix ? [`        fix: ${f.fix}`] : []),
  ];
}

/**
 * The report as text a person reads top-down: errors, then warnings (each with its fix), then
 * the passed checks (all of them with `verbose`, else a count), then a one-line verdict.
 */
export function formatReport(report: PreflightReport, options: { verbose?: boolean } = {}): string {
  const by = (s: Finding['severity']) => report.findings.filter((f) => f.severity === s);
  const passed = by(FindingSeverity.OK);
  const lines = [
    ...by(FindingSeverity.ERROR).flatMap(line),
    ...by(FindingSeverity.WARNING).flatMap(line),
    ...(options.verbose
      ? passed.flatMap(line)
      : passed.length > 0
        ? [`ok    ${passed.length} checks passed (--verbose lists them)`]
        : []),
    '',
    report.ok
      ? `preflight passed: ${passed.length} ok, ${report.warnings} warning(s)`
      : `preflight FAILED: ${report.errors} error(s), ${report.warnings} warning(s), ${passed.length} ok`,
  ];
  return lines.join('\n');
}
