/**
 * Private IPv4 addresses per ENI for common instance types, used only when
 * DescribeInstanceTypes cannot be called (no permission, or an emulator without it).
 * Source: the EC2 user guide's table "IP addresses per network interface per instance type".
 */
const PER_SIZE: Record<string, number> = {
  nano: 2,
  micro: 2,
  small: 4,
  medium: 6,
  large: 12,
  xlarge: 15,
  '2xlarge': 15,
};

/** Current-generation families whose `large` has 10 addresses per ENI and 4xlarge 30. */
const STANDARD_FAMILIES = [
  'm5',
  'm5a',
  'm6i',
  'm6a',
  'm6g',
  'm7i',
  'm7g',
  'c5',
  'c5a',
  'c6i',
  'c6a',
  'c6g',
  'c6gn',
  'c7i',
  'c7g',
  'r5',
  'r6i',
  'r6g',
  'r7g',
];
const STANDARD: Record<string, number> = { large: 10, xlarge: 15, '2xlarge': 15, '4xlarge': 30 };

/** Burstable families: sizes from nano to 2xlarge. */
const BURSTABLE_FAMILIES = ['t2', 't3', 't3a', 't4g'];

/** Addresses per ENI from the built-in table, or undefined for a type it does not know. */
export function builtInEniLimit(instanceType: string): number | undefined {
  const [family, size] = instanceType.split('.');
  if (!family || !size) return undefined;
  if (BURSTABLE_FAMILIES.includes(family)) {
    // t2.large has 12 like the others; t2 differs from t3 only in sizes it does not have.
    return PER_SIZE[size];
  }
  if (STANDARD_FAMILIES.includes(family)) return STANDARD[size];
  return undefined;
}
