import { Ec2Error } from './errors';

/** One filter of a Describe call. */
export interface Ec2Filter {
  readonly name: string;
  readonly values: readonly string[];
}

function invalid(name: string, value: unknown, expected: string): Ec2Error {
  return new Ec2Error(
    'InvalidParameterValue',
    `Value (${String(value)}) for parameter ${name} is invalid. Expected ${expected}.`,
  );
}

/**
 * Typed access to an SDK-shaped request (`DescribeInstancesRequest`, ...), by the
 * SDK's member names. The wire adapter builds the same objects from form
 * parameters, so every check here applies to both ways in.
 */
export class Ec2Input {
  readonly #input: Readonly<Record<string, unknown>>;

  constructor(input: unknown) {
    this.#input = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  }

  /** True when the member is present (not undefined or null). */
  has(name: string): boolean {
    return this.#input[name] !== undefined && this.#input[name] !== null;
  }

  /** A string member, or undefined when absent. */
  str(name: string): string | undefined {
    const value = this.#input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalid(name, value, 'a string');
    return value;
  }

  /** A member the action cannot do without; `wireName` is what EC2 names in the error. */
  required(name: string, wireName: string = name): string {
    const value = this.str(name);
    if (value === undefined || value === '') {
      throw new Ec2Error('MissingParameter', `The request must contain the parameter ${wireName}`);
    }
    return value;
  }

  /** A boolean member; undefined when absent. */
  bool(name: string): boolean | undefined {
    const value = this.#input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw invalid(name, value, 'a boolean');
    return value;
  }

  /** A non-negative integer member; undefined when absent. */
  int(name: string): number | undefined {
    const value = this.#input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw invalid(name, value, 'an integer');
    }
    return value;
  }

  /** A list of strings (`InstanceIds`, ...); empty when absent. */
  list(name: string): string[] {
    const value = this.#input[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw invalid(name, value, 'a list of strings');
    }
    return value as string[];
  }

  /** `Filters: [{ Name, Values }]`. */
  filters(): Ec2Filter[] {
    const value = this.#input.Filters;
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalid('Filters', value, 'a list of filters');
    return value.map((f: { Name?: unknown; Values?: unknown }, i) => {
      if (typeof f?.Name !== 'string' || f.Name === '') {
        throw new Ec2Error('InvalidParameterValue', `The filter 'Filter.${i + 1}' is missing a Name`);
      }
      const values = f.Values ?? [];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
        throw invalid(`Filter.${i + 1}.Value`, values, 'a list of strings');
      }
      return { name: f.Name, values: values as string[] };
    });
  }
}
