import type { Permission } from '../policy/types.js';

// kube-apiserver keeps everything under /registry/. Its user also needs etcd's root role,
// because compaction on the v3 API is allowed to root only (see the `root-grant` rule).
export const kubernetesRoles: Record<string, Permission[]> = {
  'kubernetes-apiserver': [{ span: { type: 'prefix', prefix: '/registry/' }, access: 'readwrite' }],
};
