/**
 * @module
 * `intstr.IntOrString` holding a count or a percentage ("25%"), as
 * Deployments' maxSurge and maxUnavailable do
 * (k8s.io/apimachinery/pkg/util/intstr GetScaledValueFromIntOrPercent).
 */

/** An int32 or a string such as "25%". */
export type IntOrString = number | string;

const PERCENT = /^[0-9]+%$/;

/** Whether a string form is a percentage upstream accepts (`validation.IsValidPercent`). */
export function isValidPercent(value: string): boolean {
  return PERCENT.test(value);
}

/**
 * The absolute value of `value` against `total`: an int as is, a percentage of
 * `total` rounded up or down. Throws for a string that is not a percentage
 * (upstream: "invalid value for IntOrString: invalid type: string is not a percentage").
 */
export function getScaledValueFromIntOrPercent(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  if (!isValidPercent(value)) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const percent = Number(value.slice(0, -1));
  const scaled = (percent * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
