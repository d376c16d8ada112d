import type { Permission, PresetName } from '../policy/types.js';
import { calicoRoles } from './calico.js';
import { kubernetesRoles } from './kubernetes.js';

export const presets: Record<PresetName, Record<string, Permission[]>> = {
  calico: calicoRoles,
  kubernetes: kubernetesRoles,
};

/** The preset that defines `role`, whether or not the policy includes it. */
export const presetOfRole = (role: string): PresetName | undefined =>
  (Object.keys(presets) as PresetName[]).find((name) => Object.hasOwn(presets[name], role));
