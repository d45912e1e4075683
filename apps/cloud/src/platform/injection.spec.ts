// `npm run cloud` runs the sources with tsx (esbuild), which emits no decorator metadata (design:paramtypes):
// Nest can then inject a constructor parameter only when it says what it wants with @Inject(token). Jest (ts-jest)
// does emit the metadata, so without this check the specs pass and the service fails to start. Every class
// provider and controller reachable from AppModule must declare each constructor parameter with @Inject.
import 'reflect-metadata';
import { DynamicModule, Provider, Type } from '@nestjs/common';
import { AppModule } from '../app.module';

type ModuleRef = Type<unknown> | DynamicModule | Promise<DynamicModule>;

function isDynamic(m: ModuleRef): m is DynamicModule {
  return typeof m === 'object' && m !== null && 'module' in m;
}

/** Every class Nest instantiates with constructor injection, by module. */
function injectedClasses(root: ModuleRef): Map<Type<unknown>, string> {
  const classes = new Map<Type<unknown>, string>();
  const seen = new Set<unknown>();
  const visit = (m: ModuleRef): void => {
    if (m instanceof Promise || seen.has(m)) return;
    seen.add(m);
    const type = isDynamic(m) ? m.module : m;
    const meta = (key: string): unknown[] => (Reflect.getMetadata(key, type) as unknown[] | undefined) ?? [];
    const imports = [...meta('imports'), ...(isDynamic(m) ? (m.imports ?? []) : [])] as ModuleRef[];
    const providers = [...meta('providers'), ...(isDynamic(m) ? (m.providers ?? []) : [])] as Provider[];
    const controllers = [...meta('controllers'), ...(isDynamic(m) ? (m.controllers ?? []) : [])] as Type<unknown>[];
    for (const p of providers) {
      if (typeof p === 'function') classes.set(p, type.name);
      else if ('useClass' in p && typeof p.useClass === 'function') classes.set(p.useClass, type.name);
    }
    for (const c of controllers) classes.set(c, type.name);
    classes.set(type as Type<unknown>, type.name);
    imports.forEach(visit);
  };
  visit(root);
  return classes;
}

describe('dependency injection without decorator metadata (tsx)', () => {
  it('every constructor parameter of every provider, controller and module says what it injects (@Inject)', () => {
    const missing: string[] = [];
    for (const [cls, module] of injectedClasses(AppModule)) {
      const declared = new Set(((Reflect.getMetadata('self:paramtypes', cls) as { index: number }[] | undefined) ?? []).map((d) => d.index));
      for (let i = 0; i < cls.length; i++) if (!declared.has(i)) missing.push(`${module}: ${cls.name} constructor parameter ${i}`);
    }
    expect(missing).toEqual([]);
  });

  it('finds the classes it checks', () => {
    const names = [...injectedClasses(AppModule).keys()].map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['AuthGuard', 'HealthController', 'ApiKeysController', 'ModelsController', 'ContractsController', 'PlatformLifecycle']));
  });
});
