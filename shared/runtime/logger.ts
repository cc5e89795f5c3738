import { search } from '@aws-lambda-powertools/jmespath';
import type { JSONObject } from '@aws-lambda-powertools/jmespath/types';
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
 * The logger's `correlationIdSearchFn`: Powertools' JMESPath `search` over the event, for
 * paths such as `Records[0].eventID || id || time` (the first non-empty alternative wins).
 * An event that is not an object, or a path that names nothing, gives no correlation id.
 */
export function correlationSearch(expression: string, data: unknown): unknown {
  if (data === null || typeof data !== 'object') return undefined;
  const found = search(expression, data as JSONObject);
  return (typeof found === 'string' && found !== '') || typeof found === 'number' ? found : undefined;
}

/** The service's logger (see {@link ArbiterLogger}). */
export function createLogger(): Logger {
  return new ArbiterLogger({ serviceName: 'ha-arbiter', correlationIdSearchFn: correlationSearch });
}
