using UNetSharp.Tests.Training;
using UNetSharp.Training;

// Usage: UNetSharp.TrainKillHelper <run folder> <batch delay ms> [time budget s]
// Trains TrainingScenario from scratch into the folder, slowly, so that the test can SIGKILL it mid-run; with a time
// budget, the scenario's poly schedule over the step count the run fixes from its own step times.
if (args.Length is not (2 or 3)) { Console.Error.WriteLine("usage: UNetSharp.TrainKillHelper <run folder> <batch delay ms> [time budget s]"); return 2; }
var (train, validation) = TrainingScenario.Data(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
var config = args.Length == 3 ? TrainingScenario.Budgeted(double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)) : TrainingScenario.Config;
using var trainer = Trainer.Start(TrainingScenario.Network, config, train, args[0], HardDiceValidation.Create(validation));
trainer.Run();
return 0;
