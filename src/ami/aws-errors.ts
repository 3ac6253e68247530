/**
 * AWS errors in a bake: every adapter call is wrapped so the user sees one actionable line
 * (src/jobs/aws-errors.ts), while the bake logic can still tell the original error apart.
 */
import { isMnbatchError } from '../errors.js';
import { awsCall } from '../jobs/aws-errors.js';

/** `adapter` with every method's errors turned into MnbatchError naming `service:Operation`. */
export function withAwsErrors<T extends object>(adapter: T, service: string, profile?: string): T {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const operation = prop.charAt(0).toUpperCase() + prop.slice(1);
      return (...args: unknown[]) =>
        awsCall({ service, operation, profile }, () => value.apply(target, args) as Promise<unknown>);
    },
  });
}

/** The AWS error code (`InvalidInstanceType`, `InvalidAMIID.NotFound`) of `e`, also when wrapped. */
export function awsErrorName(e: unknown): string {
  const original = isMnbatchError(e) && e.cause !== undefined ? e.cause : e;
  return original instanceof Error ? original.name : '';
}
