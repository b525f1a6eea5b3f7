import { typeormRangeFor } from './add-packages';

describe('typeormRangeFor', () => {
  it('adds TypeORM 1.x where no ts-node, or a ts-node it accepts, is in the workspace', () => {
    expect(typeormRangeFor(undefined)).toBe('^1.1.1');
    expect(typeormRangeFor('10.9.2')).toBe('^1.1.1');
    expect(typeormRangeFor('^10.9.2')).toBe('^1.1.1');
    expect(typeormRangeFor('latest')).toBe('^1.1.1');
  });

  it('adds TypeORM 0.3 beside an older ts-node, which TypeORM 1.x refuses as a peer (npm ERESOLVE)', () => {
    expect(typeormRangeFor('10.9.1')).toBe('^0.3.31');
    expect(typeormRangeFor('~10.9.1')).toBe('^0.3.31');
    expect(typeormRangeFor('^9.1.1')).toBe('^0.3.31');
  });
});
