import { ApiObject, App, Chart } from 'cdk8s';
import { BringYourOwnChart } from '../../examples/bring-your-own/bring-your-own-chart';
import { fullPlatformApp } from '../../examples/full-platform/full-platform-app';
import { kubeflowPrimaryPlatform, SERVING_CLUSTERS as KUBEFLOW_SERVING_CLUSTERS } from '../../examples/kubeflow-primary/kubeflow-primary-platform';
import { multiclusterPlatform, SERVING_CLUSTERS } from '../../examples/multicluster/multicluster-platform';
import { ObservabilityChart } from '../../examples/observability/observability-chart';
import { QuickstartChart } from '../../examples/quickstart/quickstart-chart';
import { SeldonChart } from '../../examples/seldon/seldon-chart';
import { ServingChart } from '../../examples/serving/serving-chart';
import { TrainingChart } from '../../examples/training/training-chart';
import { workspacesApp } from '../../examples/workspaces/workspaces-app';
import { isLibraryObject } from '../../src/core/library-metadata';

// Every object the library makes carries `app.kubernetes.io/part-of` and `managed-by` (and name, component and
// instance where a component made it), whatever made it: Secrets, NetworkPolicies, RBAC, Ingresses, monitors, Jobs.

const RECOMMENDED = ['app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by'];

function charts(): Chart[] {
  const app = (): App => new App({ outdir: '/nonexistent' });
  return [
    new QuickstartChart(app(), 'quickstart'),
    new BringYourOwnChart(app(), 'bring-your-own'),
    new SeldonChart(app(), 'seldon'),
    new ServingChart(app(), 'serving'),
    new TrainingChart(app(), 'training'),
    new ObservabilityChart(app(), 'observability'),
    ...((platform) => [platform.primaryChart, ...SERVING_CLUSTERS.map((cluster) => platform.chartOf(cluster)), platform.argoCdChart!])(
      multiclusterPlatform('dist/multicluster')),
    ...((platform) => [platform.primaryChart, ...KUBEFLOW_SERVING_CLUSTERS.map((cluster) => platform.chartOf(cluster))])(
      kubeflowPrimaryPlatform('dist/kubeflow-primary')),
    ...((workspaces) => [workspaces.platformChart, workspaces.teamChart])(workspacesApp(app())),
    ...((fullPlatform) => [...fullPlatform.platformCharts, fullPlatform.gitOps])(fullPlatformApp('dist/full-platform')),
  ];
}

test.each(charts().map((chart) => [chart.node.path || chart.node.id, chart]))('%s: every object of the library carries the recommended labels', (_, chart) => {
  const objects = chart.node.findAll().filter((construct): construct is ApiObject => construct instanceof ApiObject);
  const library = objects.filter((object) => isLibraryObject(object));
  // The examples' own objects (their namespaces, a default-deny policy) are few; the library makes the rest.
  expect(library.length).toBeGreaterThan(objects.length * 0.9);
  const unlabelled = library.map((object) => object.toJson())
    .filter((json) => RECOMMENDED.some((label) => json.metadata?.labels?.[label] === undefined))
    .map((json) => `${json.kind} ${json.metadata?.name}`);
  expect(unlabelled).toEqual([]);
});
