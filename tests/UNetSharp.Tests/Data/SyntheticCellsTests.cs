using UNetSharp.Data.Synthetic;

namespace UNetSharp.Tests.Data;

public sealed class SyntheticCellsTests
{
    [Fact]
    public void CaseSeedsArePureArithmeticSoEveryProcessDrawsTheSameCells()
    {
        // (seed 0, case 0) is SplitMix64's state 0: its first output is the published 0xE220A8397B1DCDAF; we keep 31 bits.
        Assert.Equal(0x7B1DCDAF, SyntheticCells.CaseSeed(0, 0));
        // Distinct cases of one seed, and the same case of two seeds, get distinct seeds.
        var seeds = Enumerable.Range(0, 200).Select(n => SyntheticCells.CaseSeed(7, n)).Concat([SyntheticCells.CaseSeed(8, 0)]).ToList();
        Assert.Equal(seeds.Count, seeds.Distinct().Count());
    }

    [Fact]
    public void TheSameSeedGivesTheSameImagesAndLabels()
    {
        var a = SyntheticCells.Generate(3, 32, 5);
        var b = SyntheticCells.Generate(3, 32, 5);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(a[k].Image, b[k].Image);
            Assert.Equal(a[k].Label, b[k].Label);
        }
        Assert.NotEqual(a[0].Image, a[1].Image);
    }
}
