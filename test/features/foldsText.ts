/**
 * A .net text with every kind of fold on known lines (the numbers in the
 * comments): the feature's folds and their lines in LSP are tested on it.
 */
export const FOLDS_TEXT = [
  '# A small CNN on handwritten digits.', // 0
  '# Two lines of comment fold.', // 1
  '', // 2
  'model DigitsCNN {', // 3
  '  input image: [28, 28, 1]', // 4
  '  image', // 5
  '    -> Conv2D(32, 3, activation=relu)', // 6
  '    -> Flatten()', // 7
  '    -> Dense(10, activation=softmax)', // 8
  '}', // 9
  '', // 10
  'train DigitsCNN {', // 11
  '  data       = mnist()', // 12
  '  loss       = categorical_crossentropy', // 13
  '  callbacks  = [', // 14
  '    ReduceLROnPlateau(monitor=val_loss, factor=0.5, patience=2),', // 15
  '    EarlyStopping(monitor=val_loss, patience=4)', // 16
  '  ]', // 17
  '  # one comment line does not fold', // 18
  '}', // 19
  '',
].join('\n');
