import { InvalidArgumentError } from 'commander';

/** Option parsers with errors that name the option and say what was expected. */
export function integer(name: string, min = Number.MIN_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got "${value}"`);
    return n;
  };
}

export function number(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got "${value}"`);
    return n;
  };
}

export function integerList(name: string, min = 1): (value: string) => number[] {
  const one = integer(name, min);
  return (value) => value.split(',').map((v) => one(v.trim()));
}

export function numberList(name: string): (value: string) => number[] {
  const one = number(name);
  return (value) => value.split(',').map((v) => one(v.trim()));
}
