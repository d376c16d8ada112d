// Policy names are looked up as own keys only: "constructor" and "toString" are valid etcd names,
// and a plain object lookup would answer them with Object.prototype's functions.

export const own = <T>(record: Readonly<Record<string, T>>, name: string): T | undefined =>
  Object.hasOwn(record, name) ? record[name] : undefined;
