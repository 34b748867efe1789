// Preloaded with `node --import` by the lazy-loading test: any import of @kubernetes/client-node throws.
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  if (specifier === '@kubernetes/client-node' || specifier.startsWith('@kubernetes/client-node/')) {
    throw new Error('@kubernetes/client-node was imported');
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
