import ast


def calc(expression, model, df, source):
    # ruleid: eval-of-dynamic-code
    result = eval(expression)
    # ruleid: eval-of-dynamic-code
    exec(f"value = {source}")
    # ok: eval-of-dynamic-code
    constant = eval("1 + 1")
    # ok: eval-of-dynamic-code
    parsed = ast.literal_eval(expression)
    # ok: eval-of-dynamic-code
    model.eval()
    # ok: eval-of-dynamic-code
    total = df.eval("a + b")
    return result, constant, parsed, total


from PIL import ImageMath


def blend(expression, a, b):
    # ruleid: eval-of-dynamic-code
    image = ImageMath.eval(expression, a=a, b=b)
    # ok: eval-of-dynamic-code
    fixed = ImageMath.eval("convert(min(a, b), 'L')", a=a, b=b)
    return image, fixed
