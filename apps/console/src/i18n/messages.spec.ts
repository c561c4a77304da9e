import { describe, expect, it } from '@jest/globals';
import { en } from './en.js';
import { fr } from './fr.js';
import { formatMessage, selectPlural } from './messages.js';

const devices = { one: 'one', other: 'other' };

describe('selectPlural', () => {
  it.each([
    [0, 'one'],
    [1, 'one'],
    [2, 'other'],
    [1.5, 'one'],
    [1234, 'other'],
  ])('French treats %d as %s (0 and 1 are singular)', (count, form) => {
    expect(selectPlural('fr', devices, count)).toBe(form);
  });

  it.each([
    [0, 'other'],
    [1, 'one'],
    [2, 'other'],
    [1.5, 'other'],
  ])('English treats %d as %s (only 1 is singular)', (count, form) => {
    expect(selectPlural('en', devices, count)).toBe(form);
  });

  it('falls back to other for a category the message does not spell out (French "many")', () => {
    expect(selectPlural('fr', devices, 1_000_000)).toBe('other');
  });
});

describe('the publish confirmation an officer reads', () => {
  const publishSentence = (lang: 'fr' | 'en', deviceCount: number, unsupervisedCount: number) => {
    const dictionary = lang === 'fr' ? fr : en;
    return formatMessage(lang, dictionary['publish.devices'], {
      devices: formatMessage(lang, dictionary['count.devices'], { count: deviceCount }),
      unsupervised: formatMessage(lang, dictionary['count.unsupervisedIphones'], {
        count: unsupervisedCount,
      }),
    });
  };

  it.each([
    [0, 0, 'Elle bloquera des applications installées sur 0 appareil (0 iPhone non supervisé).'],
    [1, 1, 'Elle bloquera des applications installées sur 1 appareil (1 iPhone non supervisé).'],
    [2, 2, 'Elle bloquera des applications installées sur 2 appareils (2 iPhone non supervisés).'],
  ])(
    'in French, %d device(s) of which %d unsupervised iPhone(s)',
    (deviceCount, unsupervisedCount, sentence) => {
      expect(publishSentence('fr', deviceCount, unsupervisedCount)).toBe(sentence);
    },
  );

  it.each([
    [0, 0, 'It will block installed apps on 0 devices (0 unsupervised iPhones).'],
    [1, 1, 'It will block installed apps on 1 device (1 unsupervised iPhone).'],
    [2, 2, 'It will block installed apps on 2 devices (2 unsupervised iPhones).'],
  ])(
    'in English, %d device(s) of which %d unsupervised iPhone(s)',
    (deviceCount, unsupervisedCount, sentence) => {
      expect(publishSentence('en', deviceCount, unsupervisedCount)).toBe(sentence);
    },
  );
});

describe('formatMessage', () => {
  it('fills the other placeholders of a plural message alongside the count', () => {
    expect(formatMessage('fr', fr['audit.broken'], { seq: 7, reason: 'hash mismatch', count: 1 })).toBe(
      'Chaîne rompue à l’événement 7 : hash mismatch (1 événement intact avant lui).',
    );
  });

  it("shows the count with the language's digit grouping", () => {
    expect(formatMessage('en', en['catalog.count'], { count: 1234 })).toBe('1,234 apps');
    // French groups digits with a narrow no-break space
    expect(formatMessage('fr', fr['catalog.count'], { count: 1234 })).toBe('1\u202f234 applications');
  });

  it("shows every number the language's way, decimals included (a rollout's share done)", () => {
    expect(formatMessage('fr', fr['rollouts.percentDone'], { percent: 66.6 })).toBe('66,6 %');
    expect(formatMessage('en', en['rollouts.percentDone'], { percent: 66.6 })).toBe('66.6%');
    expect(formatMessage('en', en['rollout.progress'], { percent: 66.6 })).toBe('Progress: 66.6%');
  });

  it('leaves a plain message unchanged apart from its placeholders', () => {
    expect(formatMessage('fr', fr['publish.title'], { version: 3 })).toBe('Publier la version 3 ?');
  });
});
