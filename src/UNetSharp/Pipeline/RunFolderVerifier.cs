using System.Globalization;
using UNetSharp.Data.Layouts;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Models.Topology;
using UNetSharp.Planning;
using UNetSharp.Settings;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Pipeline;

/// <summary>What <see cref="RunFolderVerifier.Verify"/> checked, one line per check, in the order checked.</summary>
public sealed record RunFolderCheck(string Folder, IReadOnlyList<string> Checked);

/// <summary>
/// A run folder is one experiment: plan.json, config.json, splits.json, inference.json and every checkpoint must agree
/// (the run-folder contract in the README). Called wherever a run folder is read — resume, prediction (predict, export,
/// serve, ensembles, benchmarks), cross-validation and experiments — and by `unetsharp check`. The first disagreement
/// throws a <see cref="DataFormatException"/> naming both files and the field; nothing has been written by then.
/// Files a folder lacks are not checked (a bare checkpoint with plan.json beside it, a run stopped before its first
/// checkpoint); files that are there must parse.
/// </summary>
public static class RunFolderVerifier
{
    /// <summary>Checks <paramref name="runFolder"/>: a run folder, or a cross-validation folder (splits.json with its folds and fold_k run folders).</summary>
    /// <param name="data">The data set the run trains on, when at hand: split ids are then checked against its cases.</param>
    /// <param name="checkpoints">Checkpoints to check besides last.ckpt and best.ckpt (a checkpoint given by path).</param>
    public static RunFolderCheck Verify(string runFolder, SegmentationDataset? data = null, IEnumerable<string>? checkpoints = null)
    {
        var done = new List<string>();
        VerifyInto(runFolder, data, checkpoints, done);
        return new RunFolderCheck(runFolder, done);
    }

    /// <summary>
    /// <see cref="Verify"/> with split ids checked against a data set: <paramref name="dataFolder"/>, else the one
    /// config.json names when that folder exists (read with the run's layout settings and exclusions). The first line
    /// says which data set was used, or why none.
    /// </summary>
    public static RunFolderCheck VerifyWithData(string runFolder, string? dataFolder)
    {
        var folder = new RunFolder(runFolder);
        RunSettings? settings = File.Exists(folder.Config) ? RunSettingsFile.Load(runFolder) : null;
        string? root = dataFolder ?? (settings is { Data.Length: > 0 } && Directory.Exists(settings.Data) ? settings.Data : null);
        if (root is null)
        {
            var check = Verify(runFolder);
            string why = settings is { Data.Length: > 0 } ? $"its data folder {settings.Data} is not here" : "no data folder is known";
            return check with { Checked = [$"split case ids against the data: not checked ({why}; give --data DIR)", .. check.Checked] };
        }
        var layout = settings?.Layout() ?? LayoutOptions.Default;
        var data = CaseSubsetDataset.Excluding(DatasetLayouts.Open(root, layout), settings?.Dataset.ExcludeCases);
        var result = Verify(runFolder, data);
        return result with { Checked = [$"data set {root}: {data.Count} cases", .. result.Checked] };
    }

    static void VerifyInto(string runFolder, SegmentationDataset? data, IEnumerable<string>? extraCheckpoints, List<string> done)
    {
        var folder = new RunFolder(runFolder);
        if (!Directory.Exists(runFolder)) throw new DataFormatException(runFolder, "no such run folder");
        if (IsCrossValidationFolder(folder))
        {
            VerifyCrossValidation(folder, data, done);
            return;
        }

        ExperimentPlan? plan = null;
        if (File.Exists(folder.Plan))
        {
            plan = ExperimentPlan.Load(runFolder);
            CheckPlanItself(plan, folder.Plan);
            done.Add($"{folder.Plan}: parses; {plan.Network.Dimensions}D {plan.Network.Architecture} depth {plan.Network.Depth}, widths {Join(plan.Network.Widths)}, " +
                $"{plan.Network.InChannels} channel(s) with {plan.Normalization.Count} normalisation(s), {plan.ClassValues.Count} class values for {plan.Network.Classes} output channel(s), patch {string.Join("x", plan.PatchSize)}");
        }

        RunSettings? settings = null;
        if (File.Exists(folder.Config))
        {
            settings = RunSettingsFile.Load(runFolder);
            try { settings.Validate(CrossValidation.DefaultFolds); }
            catch (ConfigurationException e) { throw new DataFormatException(folder.Config, e.Message, e); }
            done.Add($"{folder.Config}: parses and every value is valid");
            if (plan is not null)
            {
                ConfigAgreesWithPlan(settings, folder.Config, plan, folder.Plan);
                done.Add($"{folder.Config} and {folder.Plan} agree: architecture, dimensions, depth, widths, CGMs, deep supervision, norm, normalisation, patch, batch, task, layout, label reading");
            }
        }

        var paths = new[] { folder.LastCheckpoint, folder.BestCheckpoint }.Concat(extraCheckpoints ?? [])
            .Where(File.Exists).DistinctBy(p => Path.GetFullPath(p), PathGuard.PathComparer).ToList();
        (string Path, Checkpoint Checkpoint)? first = null;
        foreach (string path in paths)
        {
            var checkpoint = CheckpointFile.Read(path);
            try { checkpoint.Network.Validate(); }
            catch (ConfigurationException e) { throw new DataFormatException(path, $"checkpoint network is invalid: {e.Message}", e); }
            if (plan is not null) NetworksAgree(plan.Network, folder.Plan, checkpoint.Network, path);
            else if (first is { } f) NetworksAgree(f.Checkpoint.Network, f.Path, checkpoint.Network, path);
            if (settings is not null) TrainingAgrees(settings, folder.Config, checkpoint, path);
            else if (first is { } f) Same(f.Path, path, "training settings", Describe(f.Checkpoint.Training), Describe(checkpoint.Training));
            first ??= (path, checkpoint);
            done.Add($"{path}: intact (SHA-256); its network agrees with {(plan is not null ? folder.Plan : paths[0])}" +
                (settings is not null ? $", its training settings and step count with {folder.Config}" : ""));
        }

        if (File.Exists(folder.Inference) || plan is not null)
        {
            var choices = InferenceChoices.Load(runFolder);
            int depth = plan?.Network.Depth ?? first?.Checkpoint.Network.Depth ?? int.MaxValue;
            if (choices.ChosenDepth is int chosen && (chosen < 1 || chosen > depth))
                throw new DataFormatException(File.Exists(folder.Inference) ? folder.Inference : folder.Plan,
                    $"chosen depth {chosen} is outside 1..{depth}, the depths of the network in {(plan is not null ? folder.Plan : first!.Value.Path)}");
            if (File.Exists(folder.Inference)) done.Add($"{folder.Inference}: parses; chosen depth {(choices.ChosenDepth?.ToString(CultureInfo.InvariantCulture) ?? "none yet")} within the network's");
        }

        if (File.Exists(folder.Splits)) VerifySplit(folder, settings, data, done);
    }

    /// <summary>A folder of cross-validation folds: splits.json holds several folds and the folder itself no run.</summary>
    static bool IsCrossValidationFolder(RunFolder folder) =>
        !File.Exists(folder.Plan) && !File.Exists(folder.LastCheckpoint) && !File.Exists(folder.BestCheckpoint)
        && (Directory.Exists(folder.Fold(0).Path) || (File.Exists(folder.Splits) && RunSplit.LoadFolds(folder.Path).Count > 1));

    static void VerifyCrossValidation(RunFolder folder, SegmentationDataset? data, List<string> done)
    {
        RunSettings? settings = null;
        if (File.Exists(folder.Config))
        {
            settings = RunSettingsFile.Load(folder.Path);
            done.Add($"{folder.Config}: parses");
        }
        if (!File.Exists(folder.Splits)) throw new DataFormatException(folder.Splits, "not found: a cross-validation folder holds its folds in splits.json");
        var folds = RunSplit.LoadFolds(folder.Path);
        RunSplitChecks.CheckPartition(folds, folder.Splits);
        if (data is not null) foreach (var fold in folds) CheckIdsInData(fold, folder.Splits, data, settings);
        done.Add($"{folder.Splits}: {folds.Count} folds partition {folds.Sum(f => f.Val.Count)} cases (each validated once, trained on in every other fold)" +
            (data is not null ? $"; every case is in {data.Root}" : ""));
        for (int k = 0; k < folds.Count; k++)
            if (Directory.Exists(folder.Fold(k).Path)) VerifyInto(folder.Fold(k).Path, data, null, done);
    }

    static void VerifySplit(RunFolder folder, RunSettings? settings, SegmentationDataset? data, List<string> done)
    {
        var split = RunSplit.Load(folder.Path, allowNoValidation: settings?.Validation.AllFold() == true);
        RunSplitChecks.CheckDisjoint(split, folder.Splits);
        string line = $"{folder.Splits}: {split.Train.Count} training and {split.Val.Count} validation cases, no case listed twice or in both";
        if (settings?.Dataset.ExcludeCases is { } excluded && split.Train.Concat(split.Val).FirstOrDefault(excluded.Contains) is { } left)
            throw new DataFormatException(folder.Splits, $"case '{left}' is excluded by exclude_cases in {folder.Config} but listed in the split");
        if (data is not null)
        {
            CheckIdsInData(split, folder.Splits, data, settings);
            line += $"; every case is in {data.Root}";
        }
        // a fold's split is its cross-validation folder's fold k
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder.Path));
        if (settings?.Validation.Fold is { IsAll: true } && Path.GetDirectoryName(full) is { } cvParent && File.Exists(new RunFolder(cvParent).Splits))
        {
            // the all fold trains on every case of its cross-validation and validates on none
            var folds = RunSplit.LoadFolds(cvParent);
            string parentSplits = new RunFolder(cvParent).Splits;
            var every = folds.SelectMany(f => f.Train.Concat(f.Val)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            Same(parentSplits, folder.Splits, "fold all \"train\" (every case)", Join(every), Join(split.Train.Order(StringComparer.Ordinal)));
            Same(parentSplits, folder.Splits, "fold all \"val\" (none)", "", Join(split.Val.Order(StringComparer.Ordinal)));
            line += $"; the all fold of {parentSplits}";
        }
        if (settings?.Validation.FoldIndex() is int k && Path.GetDirectoryName(full) is { } parent && File.Exists(new RunFolder(parent).Splits))
        {
            var folds = RunSplit.LoadFolds(parent);
            string parentSplits = new RunFolder(parent).Splits;
            if (k >= folds.Count) throw new DataFormatException(folder.Config, $"fold {k} does not exist: {parentSplits} holds {folds.Count} folds");
            Same(parentSplits, folder.Splits, $"fold {k} \"train\"", Join(folds[k].Train.Order(StringComparer.Ordinal)), Join(split.Train.Order(StringComparer.Ordinal)));
            Same(parentSplits, folder.Splits, $"fold {k} \"val\"", Join(folds[k].Val.Order(StringComparer.Ordinal)), Join(split.Val.Order(StringComparer.Ordinal)));
            line += $"; equals fold {k} of {parentSplits}";
        }
        done.Add(line);
    }

    static void CheckIdsInData(RunSplit split, string splitFile, SegmentationDataset data, RunSettings? settings)
    {
        var ids = data.CaseIds.ToHashSet(StringComparer.Ordinal);
        if (split.Train.Concat(split.Val).FirstOrDefault(id => !ids.Contains(id)) is { } missing)
            throw new DataFormatException(splitFile, $"case '{missing}' is not in the data set {data.Root}" +
                (settings?.Dataset.ExcludeCases?.Contains(missing) == true ? " (it is excluded by exclude_cases)" : ""));
    }

    /// <summary>What plan.json must say of itself beyond parsing (<see cref="ExperimentPlan.Parse"/> checks the network and the channel count).</summary>
    static void CheckPlanItself(ExperimentPlan plan, string path)
    {
        var n = plan.Network;
        int expected = n.Classes == 1 ? 2 : n.Classes;
        if (plan.ClassValues is null || plan.ClassValues.Count != expected)
            throw new DataFormatException(path, $"class_values lists {plan.ClassValues?.Count ?? 0} values for a network with {n.Classes} output channel(s) (needs {expected})");
        if (plan.ClassValues.Any(v => v < 0) || plan.ClassValues.Distinct().Count() != plan.ClassValues.Count)
            throw new DataFormatException(path, $"class_values {Join(plan.ClassValues)} must be distinct and non-negative");
        if (plan.PatchSize is null || plan.PatchSize.Count != n.Dimensions || plan.PatchSize.Any(s => s <= 0))
            throw new DataFormatException(path, $"patch_size {Join(plan.PatchSize ?? [])} must give {n.Dimensions} positive sizes");
        var multiples = n.SizeMultiples;
        if (plan.PatchSize.Where((s, a) => s % multiples[a] != 0).Any())
            throw new DataFormatException(path, $"patch_size {string.Join("x", plan.PatchSize)} is not a multiple of {string.Join("x", multiples)}, which depth {n.Depth} and its strides need");
        if (plan.BatchSize < 1) throw new DataFormatException(path, $"batch_size must be at least 1, got {plan.BatchSize}");
        foreach (var (c, i) in plan.Normalization.Select((c, i) => (c, i)))
            if (c is null || !float.IsFinite(c.Lower) || !float.IsFinite(c.Upper) || !double.IsFinite(c.Mean) || !(c.Std > 0) || !double.IsFinite(c.Std) || c.Lower > c.Upper)
                throw new DataFormatException(path, $"normalization of channel {i} is invalid (needs finite bounds lower <= upper and a positive finite std)");
        if (plan.TargetSpacing is { } spacing && spacing.Any(s => !(s > 0) || !double.IsFinite(s)))
            throw new DataFormatException(path, $"target_spacing {Join(spacing)} must be positive and finite");
    }

    /// <summary>config.json's settings that fix the plan, where the settings fixed them (null ones were planned).</summary>
    static void ConfigAgreesWithPlan(RunSettings s, string config, ExperimentPlan plan, string planPath)
    {
        var n = plan.Network;
        Same(config, planPath, "architecture", Architectures.Normalise(s.Network.Architecture), Architectures.Normalise(n.Architecture));
        if (s.Plan.Dimensions is int dims) Same(config, planPath, "dims", dims, n.Dimensions);
        if (s.Network.Depth is int depth) Same(config, planPath, "depth", depth, n.Depth);
        if (s.Network.Widths is { } widths) Same(config, planPath, "widths", Join(widths), Join(n.Widths));
        Same(config, planPath, "cgm", s.Network.Cgm, n.Cgm);
        Same(config, planPath, "deep_supervision", s.Network.DeepSupervision, n.DeepSupervision);
        if (s.Network.Norm is { } norm) Same(config, planPath, "norm", norm, n.Norm);
        if (s.Plan.Normalization is { } kind && plan.Normalization.FirstOrDefault(c => c.Kind != kind && !(kind == NormalizationKind.Ct && c.Kind == NormalizationKind.ZScore)) is { } other)
            Same(config, planPath, "normalization", kind, other.Kind); // (CT falls back to z-score on a channel without foreground)
        if (s.Plan.PatchSize is { } patch) Same(config, planPath, "patch", string.Join("x", patch), string.Join("x", plan.PatchSize));
        if (s.Plan.BatchSize is int batch) Same(config, planPath, "batch", batch, plan.BatchSize);
        Same(config, planPath, "instances", s.Dataset.Instances, plan.Instances is not null);
        if (s.Dataset.Instances && plan.Instances is { } instances) Same(config, planPath, "border_width", Number(s.Dataset.BorderWidth), Number(instances.BorderWidth));
        Same(config, planPath, "layout", s.Dataset.Layout, plan.Layout.Kind);
        Same(config, planPath, "binary_foreground", s.Dataset.BinaryForeground, plan.Layout.BinaryForeground);
        Same(config, planPath, "gray", s.Dataset.Gray, plan.Layout.Gray);
    }

    /// <summary>Every field that fixes a network's shape and outputs (not the speed switches: channels-last, memory-efficient).</summary>
    static void NetworksAgree(NetworkConfig a, string aPath, NetworkConfig b, string bPath)
    {
        Same(aPath, bPath, "architecture", Architectures.Normalise(a.Architecture), Architectures.Normalise(b.Architecture));
        Same(aPath, bPath, "dimensions", a.Dimensions, b.Dimensions);
        Same(aPath, bPath, "in_channels", a.InChannels, b.InChannels);
        Same(aPath, bPath, "classes", a.Classes, b.Classes);
        Same(aPath, bPath, "depth", a.Depth, b.Depth);
        Same(aPath, bPath, "widths", Join(a.Widths), Join(b.Widths));
        Same(aPath, bPath, "strides", Strides(a), Strides(b));
        Same(aPath, bPath, "norm", a.Norm, b.Norm);
        Same(aPath, bPath, "deep_supervision", a.DeepSupervision, b.DeepSupervision);
        Same(aPath, bPath, "cgm", a.Cgm, b.Cgm);
        Same(aPath, bPath, "cgm_dropout", Number(a.CgmDropout), Number(b.CgmDropout));
    }

    /// <summary>The checkpoint's recorded training settings against config.json's, except those a resume may change (length, threads, patience).</summary>
    static void TrainingAgrees(RunSettings s, string config, Checkpoint checkpoint, string path)
    {
        var want = s.TrainingConfig();
        var have = checkpoint.Training;
        var pairs = new (string Key, object? Config, object? Checkpoint)[]
        {
            ("optimizer", want.Optimizer, have.Optimizer), ("lr", Number(want.LearningRate), Number(have.LearningRate)),
            ("min_lr", Number(want.MinLearningRate), Number(have.MinLearningRate)), ("momentum", Number(want.Momentum), Number(have.Momentum)),
            ("nesterov", want.Nesterov, have.Nesterov), ("schedule", want.Schedule, have.Schedule), ("weight_decay", Number(want.WeightDecay), Number(have.WeightDecay)),
            ("warmup", Number(want.WarmupEpochs), Number(have.WarmupEpochs)), ("clip", Number(want.GradientClipNorm), Number(have.GradientClipNorm)),
            ("seed", want.Seed, have.Seed), ("head_init", want.HeadInit, have.HeadInit), ("validate_every", want.ValidateEvery, have.ValidateEvery),
            ("time_budget", Number(want.TimeBudgetSeconds), Number(have.TimeBudgetSeconds)),
            ("loss", want.Loss.Kind, have.Loss.Kind), ("ds_weights", want.Loss.Weighting, have.Loss.Weighting), ("cgm_weight", Number(want.Loss.CgmWeight), Number(have.Loss.CgmWeight)),
            ("batch_dice", want.Loss.BatchDice, have.Loss.BatchDice), ("class_weights", Join(want.Loss.ClassWeights?.Select(w => Number(w)) ?? []), Join(have.Loss.ClassWeights?.Select(w => Number(w)) ?? [])),
            ("focal_alpha", Number(want.Loss.FocalAlpha), Number(have.Loss.FocalAlpha)), ("focal_gamma", Number(want.Loss.FocalGamma), Number(have.Loss.FocalGamma)),
            ("batches_per_epoch", s.Optimisation.BatchesPerEpoch, checkpoint.State.BatchesPerEpoch),
        };
        foreach (var (key, a, b) in pairs) Same(config, path, key, a, b);
        if (!want.CountPending && checkpoint.State.Iteration > want.TotalIterations(Math.Max(1, s.Optimisation.BatchesPerEpoch)))
            throw new DataFormatException(config, $"allows {want.TotalIterations(s.Optimisation.BatchesPerEpoch)} steps (epochs/iterations), but {path} has already taken {checkpoint.State.Iteration}: the files are not one run");
    }

    /// <summary>Throws naming both files and the field when the two values differ.</summary>
    static void Same(string aPath, string bPath, string field, object? a, object? b)
    {
        string x = Text(a), y = Text(b);
        if (x != y) throw new DataFormatException(aPath, $"{field} is {x}, but {bPath} has {y}: the files are not one run (restore the run's own file, or start a new run)");
    }

    static string Text(object? value) => value switch
    {
        null => "none",
        bool b => b ? "true" : "false",
        Enum e => System.Text.Json.JsonSerializer.Serialize(e, e.GetType(), ProjectJson.Options).Trim('"'),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "none",
    };

    static string? Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    static string Join<T>(IEnumerable<T> values) => string.Join(",", values.Select(v => Text(v)));

    static string Strides(NetworkConfig n) => NetworkConfig.FormatStrides(Enumerable.Range(1, n.Depth).Select(n.StrideOf));

    static string Describe(TrainingConfig t) => ProjectJson.Serialize(t with { Epochs = 0, MaxIterations = null, Threads = null, Patience = null });
}
