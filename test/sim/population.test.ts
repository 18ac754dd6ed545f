import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isValidCardNumber, isValidIdNumber } from '../../domain/identity';
import { type BehaviourParameters, behaviourOf, checkParameters, population } from '../../sim/population';

const parameters = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'sim', 'behaviour.json'), 'utf8'),
) as BehaviourParameters;

describe('the simulated population', () => {
  test('is the same for the same seed and another for another', () => {
    expect(population(50, 3)).toEqual(population(50, 3));
    expect(population(50, 3).map((b) => b.idNumber)).not.toEqual(population(50, 4).map((b) => b.idNumber));
  });

  test('holds valid identities and cards, none of them a sandbox fault value', () => {
    for (const b of population(500, 11)) {
      expect(isValidIdNumber(b.idNumber)).toBe(true);
      expect(isValidCardNumber(b.card)).toBe(true);
      expect(['0002', '0003', '0004', '0005']).not.toContain(b.card.slice(-4));
    }
  });

  test("lands each grade's behaviours in the shares the parameters give", () => {
    const people = population(20_000, 5);
    for (const grade of ['A', 'D'] as const) {
      const count = (kind: string) =>
        people.filter((b) => behaviourOf(b, grade, parameters).kind === kind).length / people.length;
      const shares = parameters.grades[grade];
      expect(Math.abs(count('default') - shares.default)).toBeLessThan(0.01);
      expect(Math.abs(count('late-then-cure') - shares.lateThenCure)).toBeLessThan(0.01);
      expect(Math.abs(count('prepay') - shares.prepay)).toBeLessThan(0.01);
      expect(Math.abs(count('extend') - shares.extend)).toBeLessThan(0.01);
    }
  });

  test('draws each behaviour inside its ranges', () => {
    for (const b of population(2_000, 9)) {
      const x = behaviourOf(b, 'E', parameters);
      if (x.kind === 'default') {
        expect(x.fromInstallment).toBeGreaterThanOrEqual(parameters.defaultFromInstallment.min);
        expect(x.fromInstallment).toBeLessThanOrEqual(parameters.defaultFromInstallment.max);
      }
      if (x.kind === 'late-then-cure') {
        expect(x.cureDays).toBeGreaterThanOrEqual(parameters.cureDays.min);
        expect(x.cureDays).toBeLessThanOrEqual(parameters.cureDays.max);
      }
    }
  });

  test('refuses parameters that cannot describe a population, naming the field', () => {
    expect(checkParameters(parameters)).toBe(parameters);
    const over = {
      ...parameters,
      grades: { ...parameters.grades, C: { ...parameters.grades.C, default: 0.9 } },
    };
    expect(() => checkParameters(over)).toThrow('grades.C');
    expect(() => checkParameters({ ...parameters, cureDays: { min: 5, max: 2 } })).toThrow('cureDays');
    expect(() =>
      checkParameters({ ...parameters, lateInstallment: { min: 1, max: parameters.loan.termMonths } }),
    ).toThrow('installment');
  });
});
