using Spectre.Console.Cli;
using UNetSharp.Cli.Commands;
using UNetSharp.Data.Layouts;
using UNetSharp.Evaluation;
using UNetSharp.Inference;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Tests.Data.Layouts;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Tests.IO;
using UNetSharp.Tests.Models;
using UNetSharp.Training;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Safety;

/// <summary>
/// One test per defect of the hostile run (issue 15), each on hand-built tiny files and tiny networks: the command refuses
/// with one line naming the file or setting, and nothing it did not create is written, replaced or deleted.
/// </summary>
public sealed class HostileInputRegressionTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    string Run2D() => PredictionTestFiles.RunFolder(dir.File("model"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);

    string PngFolder(string name, params string[] files)
    {
        string folder = Directory.CreateDirectory(dir.File(name)).FullName;
        foreach (string f in files) PredictionTestFiles.WritePng(Path.Combine(folder, f), 16, 16);
        return folder;
    }

    static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

    static void AssertUnchanged(Dictionary<string, byte[]> before, string folder)
    {
        var after = Snapshot(folder);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (f, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[f]), $"{f} changed");
    }

    // defect 1: predict replaced its inputs through a symlinked --out (and through a symlinked --input)
    [Fact]
    public void PredictIntoASymlinkOfTheInputFolderIsRefusedAndTheInputsStayAsTheyWere()
    {
        string model = Run2D();
        string input = PngFolder("inp", "a.png", "b.png");
        var before = Snapshot(input);
        File.CreateSymbolicLink(dir.File("link"), input);

        foreach (var (inp, outDir) in new[] { (input, dir.File("link")), (dir.File("link"), input), (input, dir.File("link/masks")), (dir.File("link"), dir.File("inp/../inp/")) })
        {
            var e = Assert.Throws<ConfigurationException>(() => PredictionJob.Open(new PredictionJobOptions { Model = model, Input = inp, OutputDir = outDir }));
            Assert.Contains("output folder", e.Message);
        }
        AssertUnchanged(before, input);
    }

    [Fact]
    public void EvaluateIntoASymlinkOfTheReferenceFolderIsRefused()
    {
        string refs = Directory.CreateDirectory(dir.File("refs")).FullName;
        File.CreateSymbolicLink(dir.File("link"), refs);
        var e = Assert.Throws<ConfigurationException>(() => FolderEvaluation.OutputDir(dir.File("link"), dir.File("pred"), refs));
        Assert.Contains("same folder as reference folder", e.Message);
        Assert.Throws<ConfigurationException>(() => FolderEvaluation.OutputDir(null, dir.File("link"), refs)); // default: the prediction folder, here the refs
    }

    [Fact]
    public void PredictCommandExitsTwoOnASymlinkedOutput()
    {
        string model = Run2D();
        string input = PngFolder("inp", "a.png");
        var before = Snapshot(input);
        File.CreateSymbolicLink(dir.File("link"), input);
        Assert.Equal(2, UNetSharp.Cli.CliApp.Run(["predict", "--model", model, "--input", input, "--out", dir.File("link")], TextWriter.Null, TextWriter.Null));
        AssertUnchanged(before, input);
    }

    // guarantee: Unicode and spaces in folder and file names work end to end, and guards still see through links to them
    [Fact]
    public void UnicodeNamesArePredictedAndGuarded()
    {
        string model = Run2D();
        string input = PngFolder("données 画像", "cas ü.png");
        var report = PredictionJob.Run(new PredictionJobOptions { Model = model, Input = input, OutputDir = dir.File("résultats ✓") });
        Assert.Equal(0, report.Failed);
        Assert.True(File.Exists(dir.File("résultats ✓/cas ü.png")));
        File.CreateSymbolicLink(dir.File("lien"), input);
        Assert.Throws<ConfigurationException>(() => PredictionJob.Open(new PredictionJobOptions { Model = model, Input = input, OutputDir = dir.File("lien/sous") }));
    }

    // defect 2: one NaN voxel made the whole prediction background with exit 0
    [Fact]
    public void PredictRefusesNonFiniteVoxelsAndValuesBeyondFloat32NamingTheFile()
    {
        string model = Run2D();
        string nan = dir.File("in/nan.nii");
        LayoutTestData.Nifti(nan, LayoutTestData.Values(24, i => i == 5 ? float.NaN : i));
        string huge = dir.File("in/huge.nii");
        var h = NiftiTestImages.Header(1, true, NiftiDataType.Float64, 4, 3, 2);
        NiftiFile.Write(huge, new NiftiImage(h, new byte[4], Enumerable.Range(0, 24).Select(i => i == 7 ? 1e39 : i).ToArray()));

        // every input fails: nothing is written (exit 2), each reason is named
        var failed = Assert.Throws<PredictionBatchFailedException>(() => PredictionJob.Run(new PredictionJobOptions { Model = model, Input = dir.File("in"), OutputDir = dir.File("out") }));
        Assert.Equal(2, failed.Files.Count(f => f.Status == PredictionFileResult.Failed));
        var errors = failed.Files.ToDictionary(f => Path.GetFileName(f.Input), f => f.Error!);
        Assert.Contains(nan, errors["nan.nii"]);
        Assert.Contains("1 NaN and 0 infinite intensity values (first at voxel 5", errors["nan.nii"]);
        Assert.Contains("0 NaN and 1 infinite intensity values (first at voxel 7", errors["huge.nii"]);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    // defect 11: predict accepted zero or NaN spacing and wrote it out
    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    [InlineData(-1.0)]
    public void PredictRefusesABadSpacingNamingTheFile(double spacing)
    {
        string model = Run2D();
        string file = dir.File("in/v.nii.gz");
        LayoutTestData.Nifti(file, LayoutTestData.Values(24, i => i), pixdim: [1, spacing, 1]);
        var result = Assert.Single(Assert.Throws<PredictionBatchFailedException>(() => PredictionJob.Run(new PredictionJobOptions { Model = model, Input = file, OutputDir = dir.File("out") })).Files);
        Assert.False(result.Succeeded);
        Assert.Contains(file, result.Error);
        Assert.Contains("is not positive and finite on axis", result.Error);
        Assert.False(File.Exists(dir.File("out/v.nii.gz")));
    }

    // guarantee: sizes computed from a file (resampling to the plan's spacing) are checked before allocating
    [Fact]
    public void AForgedSpacingCannotAskForAnAbsurdResampledGrid()
    {
        string model = PredictionTestFiles.RunFolder(dir.File("model"), PredictionTestFiles.Tiny(dims: 3), [8, 8, 8]);
        (ExperimentPlan.Load(model) with { TargetSpacing = [1.0, 1.0, 1.0] }).Save(model);
        string file = dir.File("in/v.nii.gz");
        LayoutTestData.Nifti(file, LayoutTestData.Values(24, i => i), pixdim: [1e9, 1, 1]);
        var result = Assert.Single(Assert.Throws<PredictionBatchFailedException>(() => PredictionJob.Run(new PredictionJobOptions { Model = model, Input = file, OutputDir = dir.File("out") })).Files);
        Assert.False(result.Succeeded);
        Assert.Contains(file + ": resampling 2x3x4 voxels", result.Error);
        Assert.Contains("would need 2.4E+10 values", result.Error);
    }

    static TrainRunOptions Train(string data, string run, int? batch = 1) => new()
    {
        Settings = RunSettings.Default with
        {
            Data = data, Out = run,
            Network = RunSettings.Default.Network with { Depth = 2, Widths = [4, 8, 16], HeadInit = HeadInitKind.Default },
            Plan = RunSettings.Default.Plan with { BatchSize = batch },
            Optimisation = RunSettings.Default.Optimisation with { Epochs = 1, BatchesPerEpoch = 1 },
        },
    };

    // defect 2 (train side) and defect 3: label values outside dataset.json's labels trained a bigger network
    [Fact]
    public void TrainRefusesAnUndeclaredLabelValueOrANaNVoxelBeforeWritingAnything()
    {
        string data = dir.File("msd");
        LayoutTestData.Msd(data, 3);
        File.WriteAllText(Path.Combine(data, "dataset.json"), """{ "labels": { "0": "background", "1": "a", "2": "b" }, "modality": { "0": "MRI" } }""");
        LayoutTestData.Nifti(Path.Combine(data, "labelsTr", "c2.nii.gz"), LayoutTestData.Values(24, i => i == 9 ? 3 : i % 3));
        var e = Assert.Throws<DataFormatException>(() => TrainingRun.Run(Train(data, dir.File("run"))));
        Assert.Contains(Path.Combine(data, "labelsTr", "c2.nii.gz") + ": label value 3 is not declared (declared: 0, 1, 2)", e.Message);
        Assert.False(Directory.Exists(dir.File("run")));

        LayoutTestData.Nifti(Path.Combine(data, "labelsTr", "c2.nii.gz"), LayoutTestData.Values(24, i => i % 3));
        LayoutTestData.Nifti(Path.Combine(data, "imagesTr", "c1.nii.gz"), LayoutTestData.Values(24, i => i == 4 ? float.PositiveInfinity : i));
        e = Assert.Throws<DataFormatException>(() => TrainingRun.Run(Train(data, dir.File("run"))));
        Assert.Contains(Path.Combine(data, "imagesTr", "c1.nii.gz") + ": 0 NaN and 1 infinite intensity values", e.Message);
        Assert.False(Directory.Exists(dir.File("run")));
    }

    // defect 7: train --batch 0 and a one-case data set left config.json and plan.json behind; an absurd patch is refused before allocating
    [Fact]
    public void TrainWithBatchZeroOrOneCaseWritesNothing()
    {
        string data = dir.File("msd");
        LayoutTestData.Msd(data, 3);
        Assert.Contains("batch size must be at least 1, got 0", Assert.Throws<ConfigurationException>(() => TrainingRun.Run(Train(data, dir.File("run"), batch: 0))).Message);
        Assert.False(Directory.Exists(dir.File("run")));
        var huge = Train(data, dir.File("run"));
        huge = huge.With(s => s with { Plan = s.Plan with { PatchSize = [1 << 12, 1 << 12, 1 << 12] } });
        Assert.Contains("values per batch", Assert.Throws<ConfigurationException>(() => TrainingRun.Run(huge)).Message);
        Assert.False(Directory.Exists(dir.File("run")));

        string one = dir.File("one");
        LayoutTestData.Msd(one, 1);
        Assert.Contains("only 1 case: training needs at least 2", Assert.Throws<DataFormatException>(() => TrainingRun.Run(Train(one, dir.File("run")))).Message);
        Assert.False(Directory.Exists(dir.File("run")));
    }

    // guarantee: a class count prediction cannot store (class indices are bytes) is refused before training, not after it
    [Fact]
    public void TrainRefusesMoreThan256ClassesBeforeWriting()
    {
        string data = dir.File("msd");
        for (int c = 0; c < 2; c++)
        {
            LayoutTestData.Nifti(Path.Combine(data, "imagesTr", $"c{c}.nii.gz"), LayoutTestData.Values(320, i => i), sizes: [20, 16, 1]);
            LayoutTestData.Nifti(Path.Combine(data, "labelsTr", $"c{c}.nii.gz"), LayoutTestData.Values(320, i => i), sizes: [20, 16, 1]);
        }
        Assert.Contains("320 distinct values; at most 256 classes", Assert.Throws<DataFormatException>(() => TrainingRun.Run(Train(data, dir.File("run")))).Message);
        Assert.False(Directory.Exists(dir.File("run")));
    }

    // defect 8: train --out inside the data set added curves.png as a case; guarantee: a data or user folder is never a run folder
    [Fact]
    public void TrainRefusesARunFolderInsideOrAroundTheDataOrHoldingSomebodyElsesFiles()
    {
        string data = dir.File("msd");
        LayoutTestData.Msd(data, 3);
        var before = Snapshot(data);
        Assert.Contains("lies inside data folder", Assert.Throws<ConfigurationException>(() => TrainingRun.Run(Train(data, Path.Combine(data, "imagesTr")))).Message);
        Assert.Contains("contains data folder", Assert.Throws<ConfigurationException>(() => TrainingRun.Run(Train(data, dir.Path))).Message);

        string other = dir.File("other");
        LayoutTestData.Msd(other, 2);
        Assert.Contains("not a training run", Assert.Throws<ConfigurationException>(() => TrainingRun.Run(Train(data, other))).Message);
        File.WriteAllText(dir.File("best.ckpt"), "a checkpoint");
        Assert.Contains("is an existing file", Assert.Throws<ConfigurationException>(() => TrainingRun.Run(Train(data, dir.File("best.ckpt")))).Message);
        Assert.Equal("a checkpoint", File.ReadAllText(dir.File("best.ckpt")));
        AssertUnchanged(before, data);
    }

    // defect 4: a DSB case folder with masks/ but no images/ was dropped silently
    [Fact]
    public void ADsbCaseFolderWithOnlyMasksOrOnlyImagesIsAProblem()
    {
        string root = dir.File("dsb");
        foreach (string id in new[] { "c0", "c1" })
        {
            PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Path.Combine(root, id, "images")).FullName, id + ".png"), 8, 8);
            Directory.CreateDirectory(Path.Combine(root, id, "masks"));
            PngFile.WriteLabels(Path.Combine(root, id, "masks", "m0.PNG"), Enumerable.Range(0, 64).Select(i => i < 10 ? 255 : 0).ToArray(), 8, 8);
        }
        Directory.CreateDirectory(Path.Combine(root, "c2", "masks"));
        PngFile.WriteLabels(Path.Combine(root, "c2", "masks", "m0.png"), new int[64], 8, 8);
        Directory.CreateDirectory(Path.Combine(root, "c3", "images"));

        var summary = DatasetCheck.Run(root);
        Assert.Equal(4, summary.Cases);
        Assert.Equal(["c2", "c3"], summary.Problems.Select(p => p.Case));
        Assert.Contains("has no images/ folder", summary.Problems[0].Problem);
        Assert.Contains("has no masks/ folder", summary.Problems[1].Problem);
        Assert.Equal(10 * 2, summary.ClassVoxels[1]); // masks saved as .PNG count
        var e = Assert.Throws<DataFormatException>(() => TrainingRun.Run(Train(root, dir.File("run"))));
        Assert.Contains("2 problem(s)", e.Message);
        Assert.False(Directory.Exists(dir.File("run")));
    }

    static void LabelNifti(string path, double[] origin, byte[]? values = null)
    {
        var h = NiftiTestImages.Header(1, true, NiftiDataType.UInt8, 4, 3, 2);
        h.SformCode = 1;
        h.SRowX = [0.5, 0, 0, origin[0]];
        h.SRowY = [0, 1.0, 0, origin[1]];
        h.SRowZ = [0, 0, 1.5, origin[2]];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NiftiFile.Write(path, new NiftiImage(h, new byte[4], values ?? Enumerable.Range(0, 24).Select(i => (byte)(i % 2)).ToArray()));
    }

    // defect 9: a prediction shifted by (50, 60, 70) mm scored Dice 1
    [Fact]
    public void EvaluateDoesNotScoreAPredictionAtAnotherPlaceInThePatient()
    {
        LabelNifti(dir.File("ref/a.nii.gz"), [10, 20, 30]);
        LabelNifti(dir.File("ref/b.nii.gz"), [10, 20, 30]);
        LabelNifti(dir.File("pred/a.nii.gz"), [60, 80, 100]);
        LabelNifti(dir.File("pred/b.nii.gz"), [10.0002, 20, 30]);   // float32 header noise: same grid
        var result = FolderEvaluation.Run(dir.File("pred"), dir.File("ref"));
        var mismatch = Assert.Single(result.Mismatched);
        Assert.Equal("a", mismatch.Case);
        Assert.Contains("prediction origin (60, 80, 100) differs from reference origin (10, 20, 30) by 104.9 mm", mismatch.Problem);
        Assert.Equal(1.0, Assert.Single(result.Summary.CaseResults).Classes.Single().Overlap.Dice);
        Assert.False(result.Complete);
    }

    [Fact]
    public void AnImageAndLabelAtDifferentPlacesAreADataSetProblem()
    {
        string data = dir.File("msd");
        LayoutTestData.Msd(data, 2);
        var h = NiftiTestImages.Header(1, true, NiftiDataType.Float32, 4, 3, 2);
        h.QformCode = 1; h.QuaternB = 1; // rotated 180° about x: same spacing, flipped y and z
        NiftiFile.Write(Path.Combine(data, "labelsTr", "c1.nii.gz"), new NiftiImage(h, new byte[4], LayoutTestData.Values(24, i => i % 3)));
        var problem = Assert.Single(DatasetCheck.Run(data).Problems);
        Assert.Equal("c1", problem.Case);
        Assert.Matches(@"labelsTr/c1\.nii\.gz: label (origin|orientation) .*differs from image c1\.nii\.gz", problem.Problem);
    }

    // defect 10: a.png and a_prob1.png with probabilities wrote a_prob1.png twice
    [Fact]
    public void OutputNameCollisionsAreRefusedBeforeAnythingIsWritten()
    {
        string model = Run2D();
        string input = PngFolder("in", "a.png", "a_prob1.png");
        var e = Assert.Throws<ConfigurationException>(() => PredictionJob.Open(new PredictionJobOptions { Model = model, Input = input, OutputDir = dir.File("out"), Probabilities = true }));
        Assert.Contains($"inputs {Path.Combine(input, "a.png")} and {Path.Combine(input, "a_prob1.png")} would both write", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
        using var job = PredictionJob.Open(new PredictionJobOptions { Model = model, Input = input, OutputDir = dir.File("out") }); // no probabilities: no collision
    }

    // guarantee: a user's file that sits where an output would go is never replaced (predict --out labels/ of the same names)
    [Fact]
    public void PredictNeverReplacesAFileItDidNotWriteButMayRerunIntoItsOwnFolder()
    {
        string model = Run2D();
        string input = PngFolder("images", "a.png", "b.png");
        string labels = PngFolder("labels", "a.png");
        var before = Snapshot(labels);
        var e = Assert.Throws<ConfigurationException>(() => PredictionJob.Open(new PredictionJobOptions { Model = model, Input = input, OutputDir = labels }));
        Assert.Contains(Path.Combine(labels, "a.png") + " already exists and was not written by UNetSharp", e.Message);
        AssertUnchanged(before, labels);

        for (int run = 0; run < 2; run++)
            Assert.Equal(0, PredictionJob.Run(new PredictionJobOptions { Model = model, Input = input, OutputDir = dir.File("masks") }).Failed);
        File.WriteAllText(dir.File("masks/summary.json"), "{ \"mine\": true }");
        Assert.Contains("summary.json already exists", Assert.Throws<ConfigurationException>(() => FolderEvaluation.OutputDir(null, dir.File("masks"), labels)).Message);
    }

    // defect 13: after kill -9 a hidden temp stayed; a rerun now removes it (only ours, only of dead processes)
    [Fact]
    public void ARerunRemovesTheTempFileOfAKilledPredict()
    {
        string model = Run2D();
        string input = PngFolder("in", "a.png");
        string output = Directory.CreateDirectory(dir.File("out")).FullName;
        string stale = Path.Combine(output, AtomicFile.TempName("a.png", 999_999_999, Guid.NewGuid()));
        File.WriteAllText(stale, "half a file");
        File.WriteAllText(Path.Combine(output, ".hidden.tmp"), "not ours");
        var report = PredictionJob.Run(new PredictionJobOptions { Model = model, Input = input, OutputDir = output });
        Assert.Equal(0, report.Failed);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(Path.Combine(output, ".hidden.tmp")));
    }

    static int Export(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.PropagateExceptions();
            config.AddCommand<ExportCommand>("export");
        });
        return app.Run(["export", .. args]);
    }

    // defect 7: export --size 66 on a depth-2 model left a broken .onnx and did not name --size
    [Fact]
    public void ExportRefusesASizeTheModelCannotTakeAndNeverOverwritesAFileItDidNotWrite()
    {
        string model = PredictionTestFiles.RunFolder(dir.File("model"), TinyNets.Config("unet#", dims: 2, depth: 2), [16, 16]);
        string output = dir.File("out/model.onnx");
        Assert.Contains("--size 66", Assert.Throws<ConfigurationException>(() => Export("--model", model, "--out", output, "--size", "66")).Message);
        Assert.Contains("--size 66", Assert.Throws<ConfigurationException>(() => Export("--model", model, "--out", output, "--size", "66", "--depth", "2", "--no-check")).Message);
        Assert.False(Directory.Exists(dir.File("out")) && Directory.EnumerateFileSystemEntries(dir.File("out")).Any());

        string checkpoint = Path.Combine(model, Trainer.BestCheckpointName);
        byte[] before = File.ReadAllBytes(checkpoint);
        Assert.Contains("is not an ONNX model written by UNetSharp", Assert.Throws<ConfigurationException>(() => Export("--model", model, "--out", checkpoint)).Message);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));

        Assert.Equal(0, Export("--model", model, "--out", output, "--size", "16"));
        Assert.Equal(0, Export("--model", model, "--out", output, "--size", "32")); // our own model may be replaced
        Assert.Equal(["model.onnx"], Directory.GetFiles(dir.File("out")).Select(Path.GetFileName));
    }

    // defect 7 and the guarantee that demo deletes only what it made
    [Fact]
    public void DemoValidatesBeforeWritingAndNeverDeletesAFolderItDidNotMake()
    {
        string output = dir.File("demo");
        Assert.Contains("epochs", Assert.Throws<ConfigurationException>(() => DemoRun.Run(new DemoOptions { OutDirectory = output, Epochs = 0 })).Message);
        Assert.Contains("multiple of 8", Assert.Throws<ConfigurationException>(() => DemoRun.Run(new DemoOptions { OutDirectory = output, Size = 60 })).Message);
        Assert.False(Directory.Exists(output));

        Directory.CreateDirectory(Path.Combine(output, "run"));
        File.WriteAllText(Path.Combine(output, "run", "thesis.tex"), "years of work");
        Assert.Contains("did not write", Assert.Throws<ConfigurationException>(() => DemoRun.Run(new DemoOptions { OutDirectory = output, Images = 4, Size = 16, Epochs = 1 })).Message);
        Assert.Equal("years of work", File.ReadAllText(Path.Combine(output, "run", "thesis.tex")));
    }

    // guarantee: duplicate case names with case-variant extensions are a data error, not a crash
    [Fact]
    public void TwoLabelFilesForOneCaseAreADataFormatError()
    {
        string data = dir.File("msd");
        LayoutTestData.Msd(data, 2);
        File.Copy(Path.Combine(data, "labelsTr", "c0.nii.gz"), Path.Combine(data, "labelsTr", "c0.NII.GZ"));
        Assert.Contains("two label files for case 'c0'", Assert.Throws<DataFormatException>(() => DatasetLayouts.Open(data)).Message);
    }

    // guarantee: sizes and counts from settings are checked, never wrapped or left to the allocator
    [Fact]
    public void AbsurdTileSettingsAreOneLineErrors()
    {
        Assert.Contains("tiles", Assert.Throws<ConfigurationException>(() => TileGrid.Plan([1000, 1000], 4, [4, 4], 256, 0.9999999)).Message);
        Assert.Contains("padded volume", Assert.Throws<ConfigurationException>(() => TileGrid.Plan([100, 100], 4, [1 << 30, 1 << 30], 256, 0.5)).Message);
        Assert.Contains("too large to tile", Assert.Throws<ConfigurationException>(() => TileGrid.Plan([int.MaxValue, 8], 4, null, 256, 0.5)).Message);
        Assert.Equal(4 * 4, TileGrid.Plan([64, 64], 4, [16, 16], 256, 0).TileCount); // sensible settings still plan
    }
}
