/**
 * Reads the zod schema itself to list the keys allowed at a path of job.yaml, so an unknown
 * key can be answered with "did you mean …" among exactly the keys valid there.
 */
import type { z } from 'zod';

type Segment = string | number;

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The object schemas a value at `path` may be checked against (several inside unions). */
function objectsAt(schema: z.ZodType, path: readonly Segment[]): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
      return objectsAt(def.innerType!, path);
    case 'pipe':
      return objectsAt(def.in!, path);
    case 'union':
      return (def.options ?? []).flatMap((o) => objectsAt(o, path));
    case 'object': {
      if (path.length === 0) return [schema];
      const child = def.shape?.[String(path[0])];
      return child ? objectsAt(child, path.slice(1)) : [];
    }
    case 'array':
      return path.length === 0 ? [] : objectsAt(def.element!, path.slice(1));
    case 'record':
      return path.length === 0 ? [] : objectsAt(def.valueType!, path.slice(1));
    default:
      return [];
  }
}

/** Keys allowed in the mapping at `path` (empty when the path is not a fixed-key object). */
export function allowedKeys(schema: z.ZodType, path: readonly Segment[]): string[] {
  const keys = new Set<string>();
  for (const o of objectsAt(schema, path)) for (const k of Object.keys(defOf(o).shape ?? {})) keys.add(k);
  return [...keys];
}
