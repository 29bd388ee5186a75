/// Configurations shared by the config tests.
enum ConfigFixtures {
    /// The sketch from the product brief, completed.
    static let full = """
    version: 1
    target: main
    data:
      - data/train.csv
      - path: data/images
        description: training images
      - dvc: data/raw.dvc
    params: params.yaml
    stages:
      test:
        cmd: pytest -q
        deps: [src/, tests/]
      train:
        cmd: python src/train.py
        deps: [src/train.py, data/train.csv, params.yaml]
        params: [train]
        outs: [models/model.pkl]
        timeout: 30m
      validate: { cmd: python src/evaluate.py, deps: [models/model.pkl, data/test.csv], metrics: [metrics.json], outs: [predictions.csv] }
    gate:
      metrics:
        accuracy:   { min: 0.85, max_drop: 0.01 }
        latency_ms: { max: 50 }
      data:
        data/train.csv:
          columns: { customer_id: string, age: int, income: float, gender: category }
          not_null: [customer_id]
          between: { age: [0, 120], income: [0, 1000000] }
          in_set:  { gender: [F, M, X] }
          rows:    { min: 1000 }
      drift:   { data: data/train.csv, psi_max: 0.2, p_value_min: 0.05, share_max: 0.5 }
      fairness: { predictions: predictions.csv, group: gender, label: y_true, prediction: y_pred,
                  disparate_impact_min: 0.8, parity_difference_max: 0.05 }
      model:   { scan: [models/model.pkl], max_size_mb: 500 }
      provenance: { clean_tree: true, data_tracked: true }
    deploy:
      name: churn-model
      image: ghcr.io/acme/churn-model
      model: models/model.pkl
      serve: { command: [python, serve.py], port: 8080, health: /health }
      resources: { cpu: 500m, memory: 1Gi }
      replicas: { min: 2, max: 10, cpu_target: 70 }
      canary: { steps: [10, 50, 100] }
      environments: { staging: { namespace: ml-staging }, production: { namespace: ml-prod } }
    reports: { dir: .mlci/reports, formats: [json, junit, sarif, markdown, gitlab] }

    """
}
