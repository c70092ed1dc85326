import { splitShare } from '../../src/slack/share.js';

describe('a trailing "share" posts a read answer in the channel', () => {
  test('read commands take it off the text', () => {
    expect(splitShare('aging share')).toEqual({ text: 'aging', share: true });
    expect(splitShare('  client   Acme Ltd  SHARE ')).toEqual({ text: 'client Acme Ltd', share: true });
    expect(splitShare('list overdue share')).toEqual({ text: 'list overdue', share: true });
  });

  test('anything else keeps the word and stays private', () => {
    expect(splitShare('aging')).toEqual({ text: 'aging', share: false });
    expect(splitShare('share')).toEqual({ text: 'share', share: false });
    expect(splitShare('pause INV-0001 share')).toEqual({ text: 'pause INV-0001 share', share: false });
    expect(splitShare('settings acme share')).toEqual({ text: 'settings acme share', share: false });
    expect(splitShare('client share holdings')).toEqual({ text: 'client share holdings', share: false });
  });
});
