import type { IApplyRule, NagPack } from 'cdk-nag';
import type { PackClass } from '../lib/compliance/gate';

/** A rule pack that remembers which of its rules applied to a resource of the app. */
export interface CountingPack extends NagPack {
  readonly evaluatedRules: ReadonlySet<string>;
}

/** `Pack`, counting the rules it applies (for `npm run compliance`; the gate itself needs no count). */
export function counting(Pack: PackClass): PackClass {
  // @ts-expect-error -- a constructor type cannot say that the class it builds implements NagPack's
  // abstract members (name, checkResource); every Pack passed here is a concrete rule pack.
  return class extends Pack implements CountingPack {
    public readonly evaluatedRules = new Set<string>();
    protected override applyRule(params: IApplyRule): void {
      this.evaluatedRules.add(params.ruleSuffixOverride ?? params.rule.name);
      super.applyRule(params);
    }
  };
}

/** Whether `pack` counted its rules. */
export function isCountingPack(pack: NagPack): pack is CountingPack {
  return 'evaluatedRules' in pack;
}
