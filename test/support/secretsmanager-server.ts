// A loopback stand-in for AWS Secrets Manager speaking its JSON 1.1 wire protocol (POST /,
// X-Amz-Target: secretsmanager.<Operation>), so the real @aws-sdk/client-secrets-manager can be
// pointed at it with AWS_ENDPOINT_URL_SECRETS_MANAGER. Keeps secrets in memory, records every
// request, and can be told to answer not-found or throttling.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  operation: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
}

interface Secret {
  name: string;
  arn: string;
  value?: { id: string; text: string; created: number };
}

export interface FakeSecretsManager {
  endpoint: string;
  requests: RecordedRequest[];
  /** Answer the next `count` requests (any operation) with ThrottlingException. */
  throttleNext(count: number): void;
  /** Answer every request with ResourceNotFoundException, as if no secret existed. */
  forceNotFound(on: boolean): void;
  /** The secret's current value, for assertions. */
  valueOf(name: string): string | undefined;
  /** Create a secret with no value, as infrastructure code may. */
  createEmpty(name: string): void;
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
  res.end(text);
}

const fail = (res: ServerResponse, type: string, message: string, status = 400) =>
  send(res, status, { __type: type, message });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, Secret>();
  const requests: RecordedRequest[] = [];
  let throttle = 0;
  let notFound = false;

  const find = (id: unknown): Secret | undefined =>
    typeof id === 'string' ? (secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id)) : undefined;
  const add = (name: string): Secret => {
    const secret: Secret = { name, arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf` };
    secrets.set(name, secret);
    return secret;
  };
  const setValue = (secret: Secret, text: string) => {
    secret.value = { id: randomUUID(), text, created: Date.now() / 1000 };
    return secret.value;
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      const operation = target.replace(/^secretsmanager\./, '');
      requests.push({ operation, body, authorization: req.headers.authorization });
      if (req.method !== 'POST' || !target.startsWith('secretsmanager.'))
        return fail(res, 'UnknownOperationException', 'unknown');
      if (throttle > 0) {
        throttle--;
        return fail(res, 'ThrottlingException', 'Rate exceeded');
      }
      const missing = () =>
        fail(res, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      if (notFound) return missing();
      switch (operation) {
        case 'CreateSecret': {
          const name = body.Name as string;
          if (secrets.has(name))
            return fail(
              res,
              'ResourceExistsException',
              `The operation failed because the secret ${name} already exists.`,
            );
          const secret = add(name);
          const version =
            typeof body.SecretString === 'string' ? setValue(secret, body.SecretString) : undefined;
          return send(res, 200, { ARN: secret.arn, Name: name, VersionId: version?.id });
        }
        case 'PutSecretValue': {
          const secret = find(body.SecretId);
          if (!secret) return missing();
          const version = setValue(secret, body.SecretString as string);
          return send(res, 200, {
            ARN: secret.arn,
            Name: secret.name,
            VersionId: version.id,
            VersionStages: ['AWSCURRENT'],
          });
        }
        case 'GetSecretValue': {
          const secret = find(body.SecretId);
          if (!secret?.value) {
            return fail(
              res,
              'ResourceNotFoundException',
              "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
            );
          }
          const v = secret.value;
          return send(res, 200, {
            ARN: secret.arn,
            Name: secret.name,
            VersionId: v.id,
            SecretString: v.text,
            VersionStages: ['AWSCURRENT'],
            CreatedDate: v.created,
          });
        }
        case 'DescribeSecret': {
          const secret = find(body.SecretId);
          if (!secret) return missing();
          return send(res, 200, { ARN: secret.arn, Name: secret.name });
        }
        default:
          return fail(res, 'UnknownOperationException', `unsupported operation ${operation}`);
      }
    } catch {
      return fail(res, 'InternalServiceError', 'internal error', 500);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    throttleNext: (count) => {
      throttle = count;
    },
    forceNotFound: (on) => {
      notFound = on;
    },
    valueOf: (name) => secrets.get(name)?.value?.text,
    createEmpty: (name) => {
      add(name);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Environment for the real SDK to talk to the fake: endpoint, region, dummy credentials. */
export const fakeAwsEnv = (endpoint: string): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  AWS_EC2_METADATA_DISABLED: 'true',
});
