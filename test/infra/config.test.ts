import { describe, expect, it } from 'vitest';
import { PLACEHOLDERS, settingsFromContext } from '../../infra/config.js';
import { egressCidr } from '../../infra/etcd-endpoints.js';
import { parseEtcdEndpoints } from '../../shared/etcd/endpoints.js';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('settingsFromContext', () => {
  it('reads comma-separated lists, the drift interval and whether the drift check applies', () => {
    // Act
    const { props, missing } = settingsFromContext(
      context({
        vpcId: 'vpc-0a1b2c3d4e5f67890',
        subnetIds: 'subnet-0a1b2c3d4e5f67890, subnet-0f1e2d3c4b5a69870',
        etcdEndpoints: ['https://10.0.0.11:2379'],
        caAdministrators: 'arn:aws:iam::123456789012:role/ops/etcd-ca-admin',
        issueCertInvokers: 'arn:aws:iam::123456789012:role/k8s-node,arn:aws:iam::210987654321:root',
        driftCheckMinutes: '15',
        applyOnDrift: 'true',
        namePrefix: 'etcd-prod',
      }),
    );
    // Assess
    expect(missing).toEqual([]);
    expect({ ...props, driftCheckInterval: props.driftCheckInterval?.toMinutes() }).toEqual({
      vpcId: 'vpc-0a1b2c3d4e5f67890',
      subnetIds: ['subnet-0a1b2c3d4e5f67890', 'subnet-0f1e2d3c4b5a69870'],
      etcdEndpoints: ['https://10.0.0.11:2379'],
      caAdministrators: ['arn:aws:iam::123456789012:role/ops/etcd-ca-admin'],
      issueCertInvokers: ['arn:aws:iam::123456789012:role/k8s-node', 'arn:aws:iam::210987654321:root'],
      driftCheckInterval: 15,
      applyOnDrift: true,
      namePrefix: 'etcd-prod',
    });
  });

  it.each([
    ['true', true],
    [true, true],
    ['false', false],
    [false, false],
  ])('reads applyOnDrift %j (-c text or a cdk.json boolean) as %j', (value, expected) => {
    // Act
    const { props } = settingsFromContext(context({ applyOnDrift: value }));
    // Assess
    expect(props.applyOnDrift).toBe(expected);
  });

  it('falls back to placeholders for missing network settings and names them', () => {
    // Act
    const { props, missing } = settingsFromContext(context({}));
    // Assess
    expect(missing).toEqual(['vpcId', 'subnetIds', 'etcdEndpoints']);
    expect([props.vpcId, props.subnetIds, props.etcdEndpoints]).toEqual([
      PLACEHOLDERS.vpcId,
      PLACEHOLDERS.subnetIds,
      PLACEHOLDERS.etcdEndpoints,
    ]);
    expect([
      props.caAdministrators,
      props.issueCertInvokers,
      props.driftCheckInterval?.toMinutes(),
      props.applyOnDrift,
      props.namePrefix,
    ]).toEqual([[], [], 60, false, undefined]);
  });

  it.each([
    [{ vpcId: 'vpc-xyz' }, /context vpcId: "vpc-xyz" is not a VPC id/],
    [
      { subnetIds: 'subnet-0a1b2c3d4e5f67890,sg-0a1b2c3d' },
      /context subnetIds: "sg-0a1b2c3d" is not a subnet id/,
    ],
    [
      { caAdministrators: 'arn:aws:iam::123456789012:role/*' },
      /context caAdministrators: .* is not an IAM role/,
    ],
    [{ issueCertInvokers: '*' }, /context issueCertInvokers: "\*" is not an IAM role/],
    [{ driftCheckMinutes: '0' }, /context driftCheckMinutes: "0" is not a whole number/],
    [{ driftCheckMinutes: '1.5' }, /context driftCheckMinutes: "1.5" is not a whole number/],
    [{ vpcId: { nested: true } }, /context vpcId: expected text/],
    [{ applyOnDrift: 'yes' }, /context applyOnDrift: "yes" is not true or false/],
    [{ applyOnDrift: ['true'] }, /context applyOnDrift: \["true"\] is not true or false/],
  ])('refuses %j', (values, message) => {
    // Act
    const read = () => settingsFromContext(context(values));
    // Assess
    expect(read).toThrow(message);
  });
});

describe('parseEtcdEndpoints', () => {
  it("normalizes etcdctl's forms and opens /32 egress for IP addresses only", () => {
    // Act
    const endpoints = parseEtcdEndpoints(
      ['https://10.0.0.11:2379', '10.0.0.12', 'etcd-3.example.internal:12379'],
      'etcdEndpoints',
    );
    // Assess
    expect(endpoints.map((e) => [e.url, e.port, egressCidr(e)])).toEqual([
      ['https://10.0.0.11:2379', 2379, '10.0.0.11/32'],
      ['https://10.0.0.12:2379', 2379, '10.0.0.12/32'],
      ['https://etcd-3.example.internal:12379', 12379, '0.0.0.0/0'],
    ]);
  });

  it.each([
    [[], /at least one endpoint/],
    [['http://10.0.0.11:2379'], /plain HTTP/],
    [['https://10.0.0.11:2379/v3'], /is not HOST:PORT/],
    [['https://user@10.0.0.11:2379'], /is not HOST:PORT/],
    [['10.0.0.11:70000'], /is not HOST:PORT/],
    [['unix:///var/run/etcd.sock'], /is not HOST:PORT/],
  ])('refuses %j', (endpoints, message) => {
    // Act
    const parse = () => parseEtcdEndpoints(endpoints, 'etcdEndpoints');
    // Assess
    expect(parse).toThrow(message);
  });
});
