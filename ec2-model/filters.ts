import { Ec2Error } from './errors';
import type { Ec2Filter } from './input';

/** How to read one filterable field of an item; several values mean "any of". */
export type FilterField<T> = (
  item: T,
) => string | number | boolean | undefined | ReadonlyArray<string | undefined>;

/** Filterable fields by filter name; `tags` enables `tag:<Key>` filters. */
export interface FilterTable<T> {
  readonly fields: Readonly<Record<string, FilterField<T>>>;
  readonly tags?: (item: T) => Record<string, string>;
}

/** EC2 filter values accept `*` and `?` wildcards. */
function matcher(pattern: string): (value: string) => boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return (value) => value === pattern;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  const re = new RegExp(`^${source}$`);
  return (value) => re.test(value);
}

function fieldValues<T>(table: FilterTable<T>, filterName: string): (item: T) => string[] {
  if (filterName.startsWith('tag:') && table.tags) {
    const key = filterName.slice(4);
    const tags = table.tags;
    return (item) => {
      const value = tags(item)[key];
      return value === undefined ? [] : [value];
    };
  }
  if (filterName === 'tag-key' && table.tags) {
    const tags = table.tags;
    return (item) => Object.keys(tags(item));
  }
  const field = table.fields[filterName];
  if (!field) throw new Ec2Error('InvalidParameterValue', `The filter '${filterName}' is invalid`);
  return (item) => {
    const raw = field(item);
    const list = Array.isArray(raw) ? raw : [raw];
    return list.filter((v): v is string | number | boolean => v !== undefined).map(String);
  };
}

/**
 * Keeps the items matching every filter (AND across filters, OR across one
 * filter's values), as EC2 does. Unknown filter names are an
 * InvalidParameterValue error, also as on EC2.
 */
export function applyFilters<T>(
  items: readonly T[],
  filters: readonly Ec2Filter[],
  table: FilterTable<T>,
): T[] {
  const tests = filters.map((filter) => {
    const read = fieldValues(table, filter.name);
    const patterns = filter.values.map(matcher);
    return (item: T) => read(item).some((value) => patterns.some((match) => match(value)));
  });
  return items.filter((item) => tests.every((test) => test(item)));
}
