/**
 * Turns the Kubernetes resources of a plan into the manifests `kubectl` or a GitOps tool would read
 * (`--out <dir>`): one YAML file per object, Helm releases as their chart, version and values.
 */
import { stringify } from "yaml";
import type { PlannedResource } from "./engine";

export interface RenderedFile {
  path: string;
  content: string;
}

/** "kubernetes:apps/v1:Deployment" -> { apiVersion: "apps/v1", kind: "Deployment" }; core/v1 -> "v1". */
export function apiVersionKind(type: string): { apiVersion: string; kind: string } {
  const [, group, kind] = type.split(":");
  return { apiVersion: group.startsWith("core/") ? group.slice("core/".length) : group, kind };
}

export function renderKubernetesManifests(resources: PlannedResource[]): RenderedFile[] {
  const files: RenderedFile[] = [];
  for (const resource of resources) {
    if (!resource.custom || !resource.type.startsWith("kubernetes:")) continue;
    const safeName = resource.name.replace(/[^a-zA-Z0-9._-]/g, "_");
    if (resource.type === "kubernetes:helm.sh/v3:Release") {
      const { chart, version, repositoryOpts, namespace, values } = resource.inputs as Record<string, unknown>;
      files.push({ path: `helm/${safeName}.yaml`, content: stringify({ chart, version, repository: (repositoryOpts as { repo?: string } | undefined)?.repo, namespace, values }) });
      continue;
    }
    const { apiVersion, kind } = apiVersionKind(resource.type);
    const manifest: Record<string, unknown> = { apiVersion, kind, ...resource.inputs };
    const namespace = (manifest.metadata as { namespace?: string } | undefined)?.namespace;
    files.push({ path: `kubernetes/${namespace ?? "_cluster"}/${kind.toLowerCase()}-${safeName}.yaml`, content: stringify(manifest) });
  }
  return files;
}
