using SweepCluster.Training.Model;
using SweepCluster.Training.Optimization;
using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Tests;

/// <summary>
/// Each update rule on a linear model with three weights and three points, against the step computed by
/// hand: f_i = w.x_i, q_i = y_i f_i, L = sum_i exp(-q_i), g = -sum_i exp(-q_i) y_i x_i.
/// </summary>
public sealed class UpdateRuleTests
{
    private static readonly double[] W0 = [0.3, -0.2, 0.05];
    private static readonly double[][] X = [[1.0, 2.0, -1.0], [-0.5, 1.0, 2.0], [2.0, -1.0, 0.5]];
    private static readonly double[] Y = [1, -1, 1];

    private static (double[] G, double L) HandGradient()
    {
        var g = new double[3];
        var loss = 0.0;
        for (var i = 0; i < 3; i++)
        {
            var q = Y[i] * (W0[0] * X[i][0] + W0[1] * X[i][1] + W0[2] * X[i][2]);
            var e = Math.Exp(-q);
            loss += e;
            for (var j = 0; j < 3; j++)
            {
                g[j] -= e * Y[i] * X[i][j];
            }
        }
        return (g, loss);
    }

    private static double[] Step(TrialSpec spec, int previousSteps = 0)
    {
        using var scope = NewDisposeScope();
        using var model = new HomogeneousMlp(spec.Model, inputs: 3, outputs: 1);
        model.Theta.copy_(tensor(W0.Select(v => (float)v).ToArray()));
        var x = tensor(X.SelectMany(r => r.Select(v => (float)v)).ToArray(), [3, 3]);
        var y = tensor(Y.Select(v => (float)v).ToArray());
        var trace = new List<Tensor>();
        var head = new MarginObjective(spec.Loss, spec.Reduction).Evaluate(model.Forward(x, trace), y, withGradient: true);
        model.Backward(head.OutputGradient!, trace);
        using var rule = UpdateRule.Create(spec, model.ParameterCount);
        rule.Apply(model.Theta, model.Gradient, head.LogLoss, previousSteps);
        return model.Theta.data<float>().ToArray().Select(v => (double)v).ToArray();
    }

    private static TrialSpec Linear(AlgorithmKind algorithm, double lr, StepForm form = StepForm.Dual, LrSchedule schedule = LrSchedule.Constant, double? p = null, AdamSpec? adam = null) =>
        Specs.Synthetic(algorithm, lr, depth: 1) with { Step = form, LrSchedule = schedule, P = p, Adam = adam };

    private static void AssertClose(double[] expected, double[] actual, double tolerance = 2e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"coordinate {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    private static double[] Minus(double[] w, double scale, Func<int, double> direction) =>
        w.Select((v, j) => v - scale * direction(j)).ToArray();

    private static double Norm(double[] v, double p) => Math.Pow(v.Sum(x => Math.Pow(Math.Abs(x), p)), 1 / p);

    [Fact]
    public void Manual_backprop_gives_the_hand_computed_gradient_of_log_loss()
    {
        var (g, loss) = HandGradient();
        var spec = Linear(AlgorithmKind.Gd, 1.0);
        using var model = new HomogeneousMlp(spec.Model, 3, 1);
        model.Theta.copy_(tensor(W0.Select(v => (float)v).ToArray()));
        var trace = new List<Tensor>();
        var head = new MarginObjective(LossKind.Exponential, Reduction.Sum)
            .Evaluate(model.Forward(tensor(X.SelectMany(r => r.Select(v => (float)v)).ToArray(), [3, 3]), trace), tensor(Y.Select(v => (float)v).ToArray()), withGradient: true);
        model.Backward(head.OutputGradient!, trace);
        Assert.Equal(Math.Log(loss), head.LogLoss, 6);
        AssertClose(g.Select(v => v / loss).ToArray(), model.Gradient.data<float>().ToArray().Select(v => (double)v).ToArray());
    }

    [Theory]
    [InlineData(LrSchedule.Constant)]
    [InlineData(LrSchedule.LossScaled)]
    public void Gd_dual_steps_along_minus_g(LrSchedule schedule)
    {
        var (g, loss) = HandGradient();
        var lr = 0.1;
        var size = schedule == LrSchedule.LossScaled ? lr / loss : lr;
        AssertClose(Minus(W0, size, j => g[j]), Step(Linear(AlgorithmKind.Gd, lr, schedule: schedule)));
    }

    [Fact]
    public void Gd_normalized_steps_along_the_unit_gradient()
    {
        var (g, _) = HandGradient();
        AssertClose(Minus(W0, 0.1 / Norm(g, 2), j => g[j]), Step(Linear(AlgorithmKind.Gd, 0.1, StepForm.Normalized)));
    }

    [Theory]
    [InlineData(StepForm.Dual)]
    [InlineData(StepForm.Normalized)]
    public void Sign_steps_by_the_sign_of_g(StepForm form)
    {
        var (g, _) = HandGradient();
        var scale = form == StepForm.Dual ? 0.01 * Norm(g, 1) : 0.01;
        AssertClose(Minus(W0, scale, j => Math.Sign(g[j])), Step(Linear(AlgorithmKind.Sign, 0.01, form)));
    }

    [Theory]
    [InlineData(StepForm.Dual)]
    [InlineData(StepForm.Normalized)]
    public void Coordinate_moves_only_the_largest_gradient_entry(StepForm form)
    {
        var (g, _) = HandGradient();
        var i = Enumerable.Range(0, 3).MaxBy(j => Math.Abs(g[j]));
        var expected = (double[])W0.Clone();
        expected[i] -= 0.1 * (form == StepForm.Dual ? g[i] : Math.Sign(g[i]));
        var actual = Step(Linear(AlgorithmKind.Coordinate, 0.1, form));
        AssertClose(expected, actual);
        Assert.Equal(2, Enumerable.Range(0, 3).Count(j => actual[j] == (double)(float)W0[j]));
    }

    [Theory]
    [InlineData(StepForm.Dual)]
    [InlineData(StepForm.Normalized)]
    public void Steepest_lp_follows_the_dual_map_of_the_gradient(StepForm form)
    {
        var (g, _) = HandGradient();
        const double p = 3, q = 1.5;
        var normQ = Norm(g, q);
        Func<int, double> unit = j => Math.Sign(g[j]) * Math.Pow(Math.Abs(g[j]), q - 1) / Math.Pow(normQ, q - 1);
        var scale = form == StepForm.Dual ? 0.1 * normQ : 0.1;
        AssertClose(Minus(W0, scale, unit), Step(Linear(AlgorithmKind.Steepest, 0.1, form, p: p)));
    }

    [Fact]
    public void Steepest_at_p_2_agrees_with_gd()
    {
        AssertClose(Step(Linear(AlgorithmKind.Gd, 0.1)), Step(Linear(AlgorithmKind.Steepest, 0.1, p: 2)), 1e-6);
        AssertClose(Step(Linear(AlgorithmKind.Gd, 0.1, StepForm.Normalized)), Step(Linear(AlgorithmKind.Steepest, 0.1, StepForm.Normalized, p: 2)), 1e-6);
    }

    [Fact]
    public void Adam_first_step_is_lr_times_g_over_abs_g_plus_eps()
    {
        var (g, _) = HandGradient();
        var eps = 1e-3;
        AssertClose(Minus(W0, 0.01, j => g[j] / (Math.Abs(g[j]) + eps)), Step(Linear(AlgorithmKind.Adam, 0.01, adam: new AdamSpec(0.9, 0.999, eps))));
    }

    [Fact]
    public void Adam_with_eps_zero_leaves_a_zero_gradient_coordinate_in_place_not_nan()
    {
        using var scope = NewDisposeScope();
        using var rule = new AdamRule(0.01, LrSchedule.Constant, new AdamSpec(0.9, 0.999, 0), 3);
        var theta = tensor(new float[] { 1, 2, 3 });
        var gradient = tensor(new float[] { 0.5f, 0, -0.25f });
        rule.Apply(theta, gradient, logLoss: 0, stepIndex: 0);
        rule.Apply(theta, gradient, logLoss: 0, stepIndex: 1);
        var values = theta.data<float>().ToArray();
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(2f, values[1]);
        Assert.Equal(1 - 0.02f, values[0], 5);
        Assert.Equal(3 + 0.02f, values[2], 5);
    }
}
