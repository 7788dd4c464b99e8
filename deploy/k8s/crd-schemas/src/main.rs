//! Prints `[IngressRoute CRD, Middleware CRD]` as one JSON array on stdout.
use k8s_crds_traefik::{IngressRoute, Middleware};
use kube::CustomResourceExt;

fn main() {
    let crds = vec![IngressRoute::crd(), Middleware::crd()];
    println!("{}", serde_json::to_string(&crds).expect("CRDs serialize to JSON"));
}
