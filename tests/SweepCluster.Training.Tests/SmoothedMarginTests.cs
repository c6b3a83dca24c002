using SweepCluster.Training.Model;
using SweepCluster.Trials;
using static TorchSharp.torch;

namespace SweepCluster.Training.Tests;

/// <summary>
/// Lyu and Li's smoothed margin for each loss, against its closed form on a few points: with the summed loss
/// written as L = sum_i exp(-f(q_i)), the numerator is f^-1(log 1/L).
/// </summary>
public sealed class SmoothedMarginTests
{
    private static readonly float[] BinaryOutputs = [2f, -1f, 0.5f];
    private static readonly float[] Signs = [1, -1, 1];
    private static readonly float[,] ClassOutputs = { { 1.5f, 0.2f, -0.3f }, { 0.1f, 0.4f, 2.0f } };
    private static readonly long[] Classes = [0, 2];

    private static double Head(LossKind loss, bool classes, Reduction reduction = Reduction.Sum)
    {
        using var scope = NewDisposeScope();
        var (outputs, labels) = classes
            ? (tensor(ClassOutputs.Cast<float>().ToArray(), [2, 3]), tensor(Classes))
            : (tensor(BinaryOutputs).unsqueeze(1), tensor(Signs));
        return new MarginObjective(loss, reduction).Evaluate(outputs, labels, withGradient: false).SmoothedMargin;
    }

    private static IEnumerable<double> BinaryMargins() => BinaryOutputs.Select((f, i) => (double)f * Signs[i]);

    /// <summary>For each point, sum over the other classes of exp(f_j - f_y).</summary>
    private static IEnumerable<double> ClassTerms() => Classes.Select((y, i) =>
        Enumerable.Range(0, 3).Where(j => j != y).Sum(j => Math.Exp((double)ClassOutputs[i, j] - ClassOutputs[i, y])));

    [Fact]
    public void Binary_exponential_is_minus_log_of_the_summed_loss_as_before()
    {
        var expected = -Math.Log(BinaryMargins().Sum(q => Math.Exp(-q)));
        Assert.Equal(expected, Head(LossKind.Exponential, classes: false), 1e-12);
    }

    [Fact]
    public void Binary_logistic_is_minus_log_of_e_to_the_loss_minus_one()
    {
        var loss = BinaryMargins().Sum(q => Math.Log(1 + Math.Exp(-q)));
        Assert.Equal(-Math.Log(Math.Exp(loss) - 1), Head(LossKind.Logistic, classes: false), 1e-12);
    }

    [Fact]
    public void Multiclass_exponential_sums_over_every_other_class()
    {
        Assert.Equal(-Math.Log(ClassTerms().Sum()), Head(LossKind.Exponential, classes: true), 1e-12);
    }

    [Fact]
    public void Cross_entropy_is_minus_log_of_e_to_the_loss_minus_one()
    {
        var loss = ClassTerms().Sum(s => Math.Log(1 + s));
        Assert.Equal(-Math.Log(Math.Exp(loss) - 1), Head(LossKind.Logistic, classes: true), 1e-12);
    }

    [Fact]
    public void The_reduction_does_not_change_it()
    {
        foreach (var loss in new[] { LossKind.Exponential, LossKind.Logistic })
        {
            Assert.Equal(Head(loss, classes: true), Head(loss, classes: true, Reduction.Mean), 1e-12);
        }
    }

    [Theory]
    [InlineData(-60.0)]
    [InlineData(-8.0)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(7.0)]
    public void The_logistic_form_is_accurate_for_tiny_and_huge_losses(double logLoss)
    {
        // -log(e^L - 1) computed another way: from the series of (e^L - 1)/L below 1, as L + log(1 - e^-L) above.
        var loss = Math.Exp(logLoss);
        var expected = loss < 1 ? -(logLoss + Math.Log(SeriesExpm1OverX(loss))) : -(loss + Math.Log(1 - Math.Exp(-loss)));
        Assert.Equal(expected, MarginObjective.SmoothedMargin(LossKind.Logistic, logLoss), Math.Abs(expected) * 1e-12 + 1e-12);
    }

    private static double SeriesExpm1OverX(double x)
    {
        double sum = 0, term = 1;
        for (var k = 1; k < 30; k++)
        {
            sum += term;
            term *= x / (k + 1);
        }
        return sum;
    }
}
