import { DagSource, DefaultImages, MlopsCore, Redis } from '../../src';
import { testChart } from '../util';

describe('image references', () => {
  test('every pinned default image is a valid reference', () => {
    const problems: string[] = [];
    for (const [name, image] of Object.entries(DefaultImages)) {
      try {
        new Redis(testChart('data'), 'Redis', { image });
      } catch (error) {
        problems.push(`${name}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test.each([
    ['a space', 'my image:1.0'],
    ['a scheme', 'https://registry.example.com/app:1.0'],
    ['upper case in the repository', 'registry.example.com/Team/App:1.0'],
    ['an empty tag', 'redis:'],
    ['a trailing newline', 'redis:7.2\n'],
  ])('%s is refused where the image enters', (_, image) => {
    expect(() => new Redis(testChart('data'), 'Redis', { image })).toThrow(
      `Redis 'test/Redis': props.image is invalid: expected an image reference (lowercase repository path, optional registry, tag and digest; no spaces or scheme), got a string (${JSON.stringify(image)}); give e.g. DefaultImages.REDIS`);
  });

  test('MlopsCore settings and DagSource check theirs too', () => {
    const dags = DagSource.fromGit({ repository: 'https://github.com/org/dags.git' });
    expect(() => new MlopsCore(testChart('mlops'), 'Platform', { dags, settings: { airflow: { workerImage: 'tasks image' } } })).toThrow(
      "MlopsCore 'test/Platform': settings.airflow.workerImage is invalid: expected an image reference");
    expect(() => DagSource.fromGit({ repository: 'https://github.com/org/dags.git', image: 'git sync' })).toThrow(
      'DagSource.fromGit: options.image is invalid: expected an image reference');
  });
});
