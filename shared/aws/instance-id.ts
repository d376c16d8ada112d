// This EC2 instance's id, from the instance metadata service with an IMDSv2 session token, through
// the SDK's own IMDS helpers (which honour AWS_EC2_METADATA_SERVICE_ENDPOINT and its mode).
import { getInstanceMetadataEndpoint, httpRequest } from '@smithy/credential-provider-imds';
import { WardenError } from '../errors.js';

const TIMEOUT_MS = 2_000;
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export async function instanceId(): Promise<string> {
  try {
    const endpoint = await getInstanceMetadataEndpoint();
    const at = {
      protocol: endpoint.protocol,
      hostname: endpoint.hostname.replace(/^\[|\]$/g, ''),
      ...(endpoint.port ? { port: endpoint.port } : {}),
      timeout: TIMEOUT_MS,
    };
    const token = (
      await httpRequest({
        ...at,
        method: 'PUT',
        path: '/latest/api/token',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      })
    ).toString('utf8');
    const id = (
      await httpRequest({
        ...at,
        path: '/latest/meta-data/instance-id',
        headers: { 'x-aws-ec2-metadata-token': token },
      })
    )
      .toString('utf8')
      .trim();
    if (!INSTANCE_ID.test(id)) throw new Error(`not an instance id: ${id.slice(0, 32)}`);
    return id;
  } catch (error) {
    throw new WardenError(
      'unavailable',
      `cannot read this instance's id from the instance metadata service: ${(error as Error).message.split('\n')[0]}`,
      true,
    );
  }
}
