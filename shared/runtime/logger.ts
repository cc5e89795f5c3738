import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/**
 * True inside a real Lambda runtime (the runtime API address is set only there; `serverless
 * invoke local` and `npm run invoke` do not set it).
 */
function inLambdaRuntime(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_LAMBDA_RUNTIME_API);
}

/**
 * The Powertools logger, with one difference outside Lambda: log lines go to stderr, so that
 * `npm run -s invoke` and `npx serverless invoke local` print exactly the function's result on
 * stdout (one JSON document for `| jq`). On Lambda, stdout and stderr both reach CloudWatch
 * Logs; the line format is the same everywhere.
 */
export class ArbiterLogger extends Logger {
  readonly #toStderr: boolean;

  constructor(options: ConstructorOptions = {}, toStderr = !inLambdaRuntime()) {
    super(options);
    this.#toStderr = toStderr;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!this.#toStderr) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    process.stderr.write(`${JSON.stringify(log.getAttributes(), this.getJsonReplacer())}\n`);
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new ArbiterLogger(options, this.#toStderr);
  }
}

/**
 * The logger's `correlationIdSearchFn`: reads a correlation id out of an event by a path such
 * as `Records[0].eventID || id || time` (the first alternative that names a non-empty string
 * or number wins). It covers the part of JMESPath that CorrelationPath uses (fields, array
 * indexes, `||`); Powertools' own `search` would need the optional
 * `@aws-lambda-powertools/jmespath` package, which the project does not ship.
 */
export function correlationSearch(expression: string, data: unknown): unknown {
  for (const alternative of expression.split('||')) {
    let cur: unknown = data;
    for (const step of alternative.trim().matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
      if (cur === null || typeof cur !== 'object') {
        cur = undefined;
        break;
      }
      const key = step[1] ?? Number(step[2]);
      cur = Object.hasOwn(cur, key) ? (cur as Record<PropertyKey, unknown>)[key] : undefined;
    }
    if ((typeof cur === 'string' && cur !== '') || typeof cur === 'number') return cur;
  }
  return undefined;
}

/** The service's logger (see {@link ArbiterLogger}). */
export function createLogger(): Logger {
  return new ArbiterLogger({ serviceName: 'ha-arbiter', correlationIdSearchFn: correlationSearch });
}
