#!/bin/bash
# EC2 user data: fetch this instance's etcd certificate at boot, before calico-node starts.
# The instance profile's role must be the one the policy's template names, e.g.
#   templates.calico-node.certificate.requesters: ["arn:aws:sts::ACCOUNT:assumed-role/k8s-node/{instanceId}"]
# and the role must be allowed lambda:InvokeFunctionUrl on the issue-cert function URL.
set -euo pipefail
FUNCTION_URL="https://REPLACE-ME.lambda-url.eu-west-1.on.aws"

# Node.js 20 or later and etcd-warden, from the release tarball your build publishes (npm pack).
npm install --global /opt/etcd-warden/etcd-warden-0.1.0.tgz

# A retry loop bounded in time: the apply-rbac function creates this instance's etcd user when the
# instance enters "running", which may take a few seconds more than the boot.
for attempt in $(seq 1 30); do
  if etcd-warden cert request 'calico-node-{instanceId}' --url "$FUNCTION_URL" --out /etc/calico/certs; then
    break
  fi
  sleep 10
done

cat > /etc/default/etcd-warden-agent <<ENV
FUNCTION_URL=$FUNCTION_URL
ENV
systemctl enable --now etcd-warden-agent
