using UNetSharp.Tests.Training;
using UNetSharp.Training;

// Usage: UNetSharp.TrainKillHelper <run folder> <batch delay ms>
// Trains TrainingScenario from scratch into the folder, slowly, so that the test can SIGKILL it mid-run.
if (args.Length != 2) { Console.Error.WriteLine("usage: UNetSharp.TrainKillHelper <run folder> <batch delay ms>"); return 2; }
var (train, validation) = TrainingScenario.Data(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
using var trainer = Trainer.Start(TrainingScenario.Network, TrainingScenario.Config, train, args[0], HardDiceValidation.Create(validation));
trainer.Run();
return 0;
