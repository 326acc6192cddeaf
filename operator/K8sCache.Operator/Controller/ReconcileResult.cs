namespace K8sCache.Operator.Controller;

/// <summary>How a reconcile ended: when to look again (null: only when something changes), and how many writes it made.</summary>
internal readonly record struct ReconcileResult(TimeSpan? RequeueAfter, int Writes);
