using UNetSharp.IO;
using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using UNetSharp.Models;
using UNetSharp.Training.Checkpoints;
using UNetSharp.Training.Losses;
using static TorchSharp.torch;

namespace UNetSharp.Training;

/// <summary>
/// Trains a <see cref="SegmentationNetwork"/> into a run folder: per-iteration learning-rate schedule, deep-supervision +
/// CGM loss, validation every N epochs, best.ckpt / last.ckpt / history.csv after every epoch, early stopping.
/// A fixed seed repeats the loss curve bitwise at a fixed CPU thread count, and a run killed at any moment continues
/// from last.ckpt to the same weights and curve as an uninterrupted run.
/// <code>
/// using var trainer = Trainer.Start(networkConfig, new TrainingConfig { Epochs = 100 }, trainSource, "runs/a",
///                                   HardDiceValidation.Create(validationSource));
/// trainer.Run(progress);                      // IProgress&lt;EpochReport&gt;
/// using var resumed = Trainer.Resume("runs/a", trainSource, HardDiceValidation.Create(validationSource));
/// resumed.Run(progress);                      // continues after the last finished epoch
/// </code>
/// </summary>
public sealed class Trainer : IDisposable
{
    public const string LastCheckpointName = IO.RunFolder.LastCheckpointName, BestCheckpointName = IO.RunFolder.BestCheckpointName;

    readonly IBatchSource train;
    readonly Func<SegmentationNetwork, ValidationResult>? validate;
    readonly OptimizerHelper optimizer;
    readonly SegmentationLoss loss;
    LearningRateSchedule? schedule; // null while a time-budgeted run has not fixed its step count
    byte[] rngState;
    readonly Stopwatch sinceCheckpoint = new();
    int stepsThisProcess, timedSteps, epochEnds;
    double timedSeconds, stepSecondsThisProcess, epochEndSeconds; // epochEndSeconds: the latest epoch end's writes

    Trainer(string runFolder, NetworkConfig network, TrainingConfig config, SegmentationNetwork model, OptimizerHelper optimizer,
        TrainingState state, byte[] rngState, IBatchSource train, Func<SegmentationNetwork, ValidationResult>? validate)
    {
        RunFolder = runFolder;
        Network = network;
        Config = config;
        Model = model;
        State = state;
        this.optimizer = optimizer;
        this.rngState = rngState;
        this.train = train;
        this.validate = validate;
        loss = new SegmentationLoss(config.Loss, network.Classes);
        if (!config.CountPending) schedule = config.ScheduleFor(state.BatchesPerEpoch, config.TotalIterations(state.BatchesPerEpoch));
    }

    public string RunFolder { get; }
    public NetworkConfig Network { get; }
    /// <summary>The run's settings; a time-budgeted run replaces it once, when it fixes <see cref="TrainingConfig.MaxIterations"/>.</summary>
    public TrainingConfig Config { get; private set; }
    public SegmentationNetwork Model { get; }
    public TrainingState State { get; }

    /// <summary>Epochs of the run; while a time-budgeted run still measures its steps, the configured epochs (for display only).</summary>
    public int TotalEpochs => Config.CountPending ? Config.Epochs : Config.TotalEpochs(State.BatchesPerEpoch);

    /// <summary>Called once when a time-budgeted run fixes its step count (the caller saves it with the run's settings).</summary>
    public Action<BudgetEstimate>? CountFixed { get; set; }
    public string LastCheckpointPath => Path.Combine(RunFolder, LastCheckpointName);
    public string BestCheckpointPath => Path.Combine(RunFolder, BestCheckpointName);

    /// <summary>A new run: builds the network (initialised from <see cref="TrainingConfig.Seed"/>, the caller's generator untouched) and optimiser. Refuses a folder that already holds a run.</summary>
    /// <param name="classPriors">Class frequencies of the training data, background first (<see cref="HeadInitialisation.ClassPriors"/>); required by <see cref="HeadInitKind.Prior"/>.</param>
    public static Trainer Start(NetworkConfig network, TrainingConfig config, IBatchSource train, string runFolder,
        Func<SegmentationNetwork, ValidationResult>? validate = null, IReadOnlyList<double>? classPriors = null)
    {
        network.Validate();
        config.Validate();
        if (config.HeadInit == HeadInitKind.Prior && classPriors is null)
            throw new ConfigurationException("head init 'prior' needs the class priors of the training data");
        var loss = new SegmentationLoss(config.Loss, network.Classes); // rejects a loss that cannot fit the classes before anything is built
        if (train.BatchesPerEpoch <= 0) throw new ConfigurationException("the training set yields no batches");
        if (File.Exists(Path.Combine(runFolder, LastCheckpointName)))
            throw new ConfigurationException($"{runFolder} already holds a run ({LastCheckpointName}): resume it or choose another folder");
        Directory.CreateDirectory(runFolder);
        SegmentationNetwork model;
        byte[] rng;
        using (TorchStateScope.Save()) // the seed initialises this run's network; the caller's generator is left where it was
        {
            manual_seed(config.Seed);
            model = new SegmentationNetwork(network);
            if (config.HeadInit == HeadInitKind.Prior) HeadInitialisation.Apply(model, classPriors!);
            rng = TorchRngState();
        }
        var optimizer = OptimizerFactory.Create(model.parameters(), config);
        var state = new TrainingState { BatchesPerEpoch = train.BatchesPerEpoch, PartNames = loss.PartNames(network.Cgm).ToList() };
        return new Trainer(runFolder, network, config, model, optimizer, state, rng, train, validate);
    }

    /// <summary>
    /// Continues the run in <paramref name="runFolder"/> from its last.ckpt with the same training data. <paramref name="training"/>
    /// (null: the checkpoint's) may differ from the run's configuration only in the settings a run may change while it
    /// goes on: more epochs or iterations, the thread count and the early-stopping patience.
    /// </summary>
    public static Trainer Resume(string runFolder, IBatchSource train, Func<SegmentationNetwork, ValidationResult>? validate = null, TrainingConfig? training = null)
    {
        string path = Path.Combine(runFolder, LastCheckpointName);
        var checkpoint = CheckpointFile.Read(path);
        if (training is not null)
        {
            training.Validate();
            var saved = checkpoint.Training;
            if (training with { Epochs = saved.Epochs, MaxIterations = saved.MaxIterations, Threads = saved.Threads, Patience = saved.Patience } != saved)
                throw new ConfigurationException($"{path}: a resumed run may change only epochs, iterations, threads and patience; the other training settings must stay as the run's");
            if (training.TotalIterations(checkpoint.State.BatchesPerEpoch) < checkpoint.State.Iteration)
                throw new ConfigurationException($"{path}: the run already took {checkpoint.State.Iteration} steps, more than the {training.TotalIterations(checkpoint.State.BatchesPerEpoch)} the new epochs/iterations allow");
            checkpoint = new Checkpoint
            {
                Network = checkpoint.Network, Training = training, State = checkpoint.State,
                Weights = checkpoint.Weights, OptimizerState = checkpoint.OptimizerState, TorchRngState = checkpoint.TorchRngState,
            };
        }
        if (checkpoint.State.BatchesPerEpoch != train.BatchesPerEpoch)
            throw new ConfigurationException($"{path}: the run had {checkpoint.State.BatchesPerEpoch} batches per epoch, the training data now gives {train.BatchesPerEpoch}; resume with the same data and batch size");
        var model = CheckpointFile.BuildModel(path, checkpoint);
        var optimizer = OptimizerFactory.Create(model.parameters(), checkpoint.Training);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(checkpoint.OptimizerState));
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            optimizer.Dispose();
            model.Dispose();
            throw new DataFormatException(path, $"checkpoint optimiser state does not fit the network: {e.Message}", e);
        }
        HistoryCsv.Write(runFolder, checkpoint.State); // drop rows of an epoch that finished after this checkpoint was taken
        RemoveInterruptedWrites(runFolder);
        return new Trainer(runFolder, checkpoint.Network, checkpoint.Training, model, optimizer, checkpoint.State, checkpoint.TorchRngState, train, validate);
    }

    /// <summary>Deletes temporary files a killed process left mid-write (AtomicFile's ".name.pid.guid.tmp" siblings).</summary>
    static void RemoveInterruptedWrites(string runFolder)
    {
        foreach (var name in new[] { LastCheckpointName, BestCheckpointName, HistoryCsv.FileName })
            foreach (var temp in Directory.EnumerateFiles(runFolder, $".{name}.*.tmp"))
                try { File.Delete(temp); } catch (IOException) { } // best effort: a leftover temp file harms nothing
    }

    /// <summary>
    /// Trains until the epoch count or iteration budget is reached or early stopping triggers. Cancellation is honoured
    /// between batches: the position inside the epoch is saved in last.ckpt (<see cref="TrainingState.Partial"/>) and an
    /// <see cref="OperationCanceledException"/> thrown; a resumed run continues at that batch as if never stopped.
    /// </summary>
    public TrainingState Run(IProgress<EpochReport>? progress = null, CancellationToken cancellation = default)
    {
        using var torchState = TorchStateScope.Save(); // threads and generator are the run's own until it returns
        if (Config.Threads is int threads) set_num_threads(threads);
        using (var saved = tensor(rngState)) random.set_rng_state(saved); // the stream continues exactly where the checkpoint (or the network's initialisation) left it
        sinceCheckpoint.Restart();
        stepsThisProcess = timedSteps = epochEnds = 0;
        timedSeconds = stepSecondsThisProcess = epochEndSeconds = 0;
        var epochSeconds = new List<double>();
        Model.train();
        for (int epoch = State.CompletedEpochs; (Config.CountPending || epoch < TotalEpochs) && !State.EarlyStopped; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double earlier = State.Partial?.Seconds ?? 0; // an interrupted epoch's time before the resume
            bool resumedInside = State.Partial is not null;
            var (meanLoss, meanParts, lastRate, batches) = TrainEpoch(epoch, clock, earlier, cancellation);
            if (batches == 0 && !resumedInside) break; // a time budget fixed at this epoch's start left no step for it

            bool validates = validate is not null && ((epoch + 1) % Config.ValidateEvery == 0 || epoch + 1 == TotalEpochs);
            var validation = validates ? Validate() : null;
            bool improved = validation is not null && !double.IsNaN(validation.Score) && (double.IsNaN(State.BestScore) || validation.Score > State.BestScore);
            if (improved)
            {
                State.BestScore = validation!.Score;
                State.BestEpoch = epoch + 1;
            }
            else if (validates && Config.Patience is int patience && epoch + 1 - State.BestEpoch >= patience)
                State.EarlyStopped = true;
            State.CompletedEpochs = epoch + 1;
            State.History.Add(new HistoryRow
            {
                Epoch = epoch + 1, LearningRate = lastRate, TrainLoss = meanLoss, LossParts = meanParts,
                ValidationScore = validation?.Score, ValidationPerClass = validation?.PerClass, Seconds = earlier + clock.Elapsed.TotalSeconds,
            });

            // best before last: a crash between the two leaves last.ckpt one epoch behind, and the resumed run redoes that epoch identically.
            var saving = Stopwatch.StartNew();
            var checkpoint = Capture();
            if (improved) CheckpointFile.Write(BestCheckpointPath, checkpoint);
            CheckpointFile.Write(LastCheckpointPath, checkpoint);
            HistoryCsv.Write(RunFolder, State);
            epochEnds++;
            epochEndSeconds = saving.Elapsed.TotalSeconds; // a time budget counts the checkpoints too: the latest one (the first pays for set-up)

            epochSeconds.Add(earlier + clock.Elapsed.TotalSeconds);
            var eta = TimeSpan.FromSeconds(epochSeconds.Average() * (State.EarlyStopped ? 0 : TotalEpochs - epoch - 1));
            progress?.Report(new EpochReport(epoch + 1, TotalEpochs, State.Iteration, lastRate, meanLoss,
                State.PartNames.Zip(meanParts).ToDictionary(p => p.First, p => p.Second), validation, improved, clock.Elapsed, eta, State.EarlyStopped));
        }
        return State;
    }

    /// <summary>Reports each optimiser step (the CLI's progress bar inside an epoch); null: none.</summary>
    public IProgress<StepReport>? Steps { get; set; }

    (double Loss, double[] Parts, double LastRate, int Batches) TrainEpoch(int epoch, Stopwatch clock, double earlier, CancellationToken cancellation)
    {
        var partial = State.Partial;
        State.Partial = null;
        double lossSum = partial?.LossSum ?? 0, rate = partial?.LastRate ?? 0;
        var partSums = partial?.PartSums.ToArray() ?? new double[State.PartNames.Count];
        int b = partial?.Batch ?? 0;
        for (; b < State.BatchesPerEpoch; b++)
        {
            if (Config.CountPending && State.Iteration >= Config.DecayStart(State.BatchesPerEpoch)) FixCount();
            if (!Config.CountPending && State.Iteration >= Config.TotalIterations(State.BatchesPerEpoch)) break;
            if (cancellation.IsCancellationRequested)
            {
                State.Partial = new PartialEpoch { Batch = b, LossSum = lossSum, PartSums = partSums.ToArray(), LastRate = rate, Seconds = earlier + clock.Elapsed.TotalSeconds };
                CheckpointFile.Write(LastCheckpointPath, Capture());
                cancellation.ThrowIfCancellationRequested();
            }
            var stepClock = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            rate = schedule?.At(State.Iteration) ?? Config.ScheduleFor(State.BatchesPerEpoch, long.MaxValue).At(State.Iteration); // before the decay the count does not matter
            OptimizerFactory.SetLearningRate(optimizer, rate);
            var (images, labels) = train.GetBatch(epoch, b);
            using (images)
            using (labels)
            {
                optimizer.zero_grad();
                var result = loss.Compute(Model.forward(images), labels);
                double total = result.Total.item<float>();
                if (!double.IsFinite(total))
                    throw new UNetSharpException($"training diverged: the loss is {total} at epoch {epoch + 1}, batch {b + 1}; lower the learning rate or set a gradient clip norm");
                result.Total.backward();
                if (Config.GradientClipNorm is double clip) nn.utils.clip_grad_norm_(Model.parameters(), clip);
                optimizer.step();
                lossSum += total;
                for (int k = 0; k < partSums.Length; k++) partSums[k] += result.Parts[State.PartNames[k]];
            }
            State.Iteration++;
            RecordStepTime(stepClock.Elapsed.TotalSeconds);
            int batches = (int)Math.Min(State.BatchesPerEpoch, Config.CountPending ? State.BatchesPerEpoch : Config.TotalIterations(State.BatchesPerEpoch) - (State.Iteration - b - 1));
            Steps?.Report(new StepReport(epoch + 1, TotalEpochs, b + 1, batches, State.Iteration, lossSum / (b + 1)));
        }
        return (b == 0 ? double.NaN : lossSum / b, partSums.Select(s => b == 0 ? double.NaN : s / b).ToArray(), rate, b);
    }

    /// <summary>Step times of this process; the first steps (allocations, caches) are not used for the estimate.</summary>
    void RecordStepTime(double seconds)
    {
        stepsThisProcess++;
        stepSecondsThisProcess += seconds;
        if (stepsThisProcess <= TrainingConfig.BudgetUntimedSteps) return;
        timedSteps++;
        timedSeconds += seconds;
    }

    /// <summary>
    /// A time-budgeted run at its decay start: the steps that fit in what is left of the budget, counting one timed
    /// validation pass per validating epoch, become the run's fixed count (at least one more step), and the schedule is
    /// laid out over it. The timed validation leaves the network as it was (evaluation mode, no gradients, no randomness).
    /// </summary>
    void FixCount()
    {
        double step = timedSteps > 0 ? timedSeconds / timedSteps
            : stepsThisProcess > 0 ? stepSecondsThisProcess / stepsThisProcess
            : State.Iteration > 0 ? State.TrainingSeconds / State.Iteration : 1.0;
        double validation = 0;
        if (validate is not null)
        {
            var clock = Stopwatch.StartNew();
            Validate();
            validation = clock.Elapsed.TotalSeconds;
        }
        double elapsed = State.TrainingSeconds + sinceCheckpoint.Elapsed.TotalSeconds;
        double remaining = Config.TimeBudgetSeconds!.Value - elapsed;
        int perEpoch = State.BatchesPerEpoch, every = Config.ValidateEvery, done = State.CompletedEpochs;
        double saving = epochEnds > 0 ? epochEndSeconds : 0; // checkpoint and history writes per epoch end
        double Cost(long total)
        {
            long epochs = (total + perEpoch - 1) / perEpoch;
            long validations = validate is null ? 0 : epochs / every - done / every + (epochs % every != 0 ? 1 : 0);
            return (total - State.Iteration) * step + validations * validation + (epochs - done) * saving;
        }
        long low = State.Iteration + 1, high = Math.Max(low, Math.Min(TrainingConfig.MaxSteps, // never past the documented maximum
            State.Iteration + 1 + (long)Math.Min(TrainingConfig.MaxSteps, Math.Max(0, remaining) / Math.Max(step, 1e-9))));
        while (low < high) // largest count whose cost fits (at least one more step)
        {
            long middle = low + (high - low + 1) / 2;
            if (Cost(middle) <= remaining) low = middle; else high = middle - 1;
        }
        Config = Config with { MaxIterations = low };
        schedule = Config.ScheduleFor(State.BatchesPerEpoch, low);
        CountFixed?.Invoke(new BudgetEstimate(low, step, validation, elapsed, Config.TimeBudgetSeconds.Value));
    }

    ValidationResult Validate()
    {
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            return validate!(Model);
        }
        finally { Model.train(); }
    }

    Checkpoint Capture()
    {
        var weights = new MemoryStream();
        using (var writer = new BinaryWriter(weights, System.Text.Encoding.UTF8, leaveOpen: true)) Model.save(writer);
        var optimizerState = new MemoryStream();
        using (var writer = new BinaryWriter(optimizerState, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
        rngState = TorchRngState();
        State.TrainingSeconds += sinceCheckpoint.Elapsed.TotalSeconds; // summed over resumes: each process adds its own time
        sinceCheckpoint.Restart();
        return new Checkpoint
        {
            Network = Network, Training = Config, State = State,
            Weights = weights.ToArray(), OptimizerState = optimizerState.ToArray(), TorchRngState = rngState,
        };
    }

    static byte[] TorchRngState()
    {
        using var state = random.get_rng_state();
        return state.data<byte>().ToArray();
    }

    public void Dispose()
    {
        optimizer.Dispose();
        Model.Dispose();
    }
}
