import { queryIndexes, queryList } from '../util/form.js';
import { Ec2Error } from './errors.js';

/** One `Filter.N` of a Describe call. */
export interface Ec2Filter {
  readonly name: string;
  readonly values: readonly string[];
}

/** Typed access to the form parameters of one EC2 Query request. */
export class Ec2Params {
  readonly #params: ReadonlyMap<string, string>;

  constructor(params: ReadonlyMap<string, string>) {
    this.#params = params;
  }

  /** A single value, or undefined when absent. */
  str(name: string): string | undefined {
    return this.#params.get(name);
  }

  /** A value the action cannot do without. */
  required(name: string): string {
    const value = this.#params.get(name);
    if (value === undefined || value === '') {
      throw new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
    }
    return value;
  }

  /** `true`/`false` (AWS accepts any case); undefined when absent. */
  bool(name: string): boolean | undefined {
    const value = this.#params.get(name);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new Ec2Error(
      'InvalidParameterValue',
      `Value (${value}) for parameter ${name} is invalid. Expected a boolean.`,
    );
  }

  /** A non-negative integer; undefined when absent. */
  int(name: string): number | undefined {
    const value = this.#params.get(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) {
      throw new Ec2Error(
        'InvalidParameterValue',
        `Value (${value}) for parameter ${name} is invalid. Expected an integer.`,
      );
    }
    return Number(value);
  }

  /** A Query list such as `InstanceId.1`, `InstanceId.2`. */
  list(name: string): string[] {
    return queryList(this.#params, name);
  }

  /** `Filter.N.Name` / `Filter.N.Value.M`. */
  filters(): Ec2Filter[] {
    return queryIndexes(this.#params, 'Filter').map((i) => {
      const name = this.#params.get(`Filter.${i}.Name`);
      if (!name) throw new Ec2Error('InvalidParameterValue', `The filter 'Filter.${i}' is missing a Name`);
      return { name, values: queryList(this.#params, `Filter.${i}.Value`) };
    });
  }

  /** All parameters except the envelope, for the audit log. */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of this.#params) if (key !== 'Action' && key !== 'Version') out[key] = value;
    return out;
  }
}
