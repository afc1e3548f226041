import * as kplus from 'cdk8s-plus-28';
import { ServiceEndpoint } from '../../src';
import { testChart } from '../util';

describe('ServiceEndpoint', () => {
  test('a Service in a namespaced chart is reachable from every namespace', () => {
    const chart = testChart('data');
    const service = new kplus.Service(chart, 'Pg', { ports: [{ port: 5432 }] });
    const endpoint = ServiceEndpoint.fromService(service, 5432, 'postgresql');
    expect(endpoint.host).toBe(`${service.name}.data.svc`);
    expect(endpoint.hostPort).toBe(`${service.name}.data.svc:5432`);
    expect(endpoint.url('/x')).toBe(`postgresql://${service.name}.data.svc:5432/x`);
  });

  test('a Service in a chart without namespace is addressed by its name', () => {
    const chart = testChart();
    const service = new kplus.Service(chart, 'Minio', { ports: [{ port: 9000 }] });
    expect(ServiceEndpoint.fromService(service, 9000).url()).toBe(`http://${service.name}:9000`);
  });

  test('an external host', () => {
    expect(ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https').url('/bucket'))
      .toBe('https://s3.eu-west-1.amazonaws.com:443/bucket');
  });
});
