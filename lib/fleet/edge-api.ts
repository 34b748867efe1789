import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { EXTERNAL_TLS_PORT } from '../core/exposure';
import { NAMESPACE_FROM_ANNOTATION } from '../core/policy';
import { VERSIONS } from '../core/versions';

/**
 * Facts of the Flotta edge API as its operator ships it (project-flotta/flotta-operator v0.2.0,
 * config/edge-api/server.yaml, deployed by config/k8s/kustomization.yaml with `namePrefix: flotta-` into namespace `flotta`): Deployment `flotta-edge-api`
 * whose pods carry `app: flotta-edge-api` and serve yggdrasil over mutual TLS on container port `yggds`
 * (8043); the operator verifies device certificates itself, so the path must pass TLS through (upstream's
 * OpenShift Route, config/network/route.yaml, uses `termination: passthrough`).
 */
export const EDGE_API = { selector: { app: 'flotta-edge-api' }, port: 8043, portName: 'yggds', namespace: VERSIONS.flottaOperator.namespace } as const;

/** Name of the Service that exposes the edge API to devices. */
export const EDGE_API_EXTERNAL = 'flotta-edge-api-external';


/** Props of EdgeApiExposure. */
export interface EdgeApiExposureProps {
  /** DNS name devices use; it resolves to the load balancer. */
  readonly host: string;
  /** Device networks allowed to connect. */
  readonly sourceCIDRs: ReadonlyArray<string>;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The Flotta edge API reachable by devices: a Service of type LoadBalancer (TCP passthrough of the mTLS
 * handshake to the operator's edge API pods, port 443), restricted to the device networks and keeping the
 * client address (`externalTrafficPolicy: Local`).
 */
export class EdgeApiExposure extends Construct {
  constructor(scope: Construct, id: string, props: EdgeApiExposureProps) {
    super(scope, id);
    new k8s.KubeService(this, 'service', {
      metadata: {
        name: EDGE_API_EXTERNAL,
        namespace: EDGE_API.namespace,
        labels: { ...props.labels },
        annotations: { [NAMESPACE_FROM_ANNOTATION]: 'flotta-operator', 'edgewatt.io/host': props.host },
      },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        loadBalancerSourceRanges: [...props.sourceCIDRs],
        selector: { ...EDGE_API.selector },
        ports: [{ name: EDGE_API.portName, port: EXTERNAL_TLS_PORT, targetPort: k8s.IntOrString.fromString(EDGE_API.portName), protocol: 'TCP' }],
      },
    });
  }
}
