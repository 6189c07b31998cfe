"""Text the test models are trained on and tested with.

The sample article's sentences are here verbatim so the copy model can be checked on exactly what
the pipeline sends it; the Russian and Armenian lines give the tokenizer real pieces for those
scripts, so byte fallback is the exception rather than the rule.
"""

from __future__ import annotations

# The body of articles/000_62d6198c2960ff45.txt, one sentence a line (headline and date included).
SAMPLE_ARTICLE_SENTENCES: tuple[str, ...] = (
    "NBC: US allies, including UK and Canada, scrutinising intel sharing amid Trump's pro-Russia policy",
    "06 March 2025 20:22",
    "Certain US allies are considering diminishing the intelligence they share with Washington in "
    "response to the Trump administration’s conciliatory approach to Russia, according to four sources "
    "with direct knowledge of the matter.",
    "They told NBC News that the allies are weighing the move because of concerns about safeguarding "
    "foreign assets whose identities could inadvertently be revealed, said the sources, who included a "
    "foreign official, per Caliber.Az.",
    "The allies, including Israel, Saudi Arabia and members of the so-called Five Eyes spy alliance of "
    "English-speaking democracies, are examining how to possibly revise current protocols for sharing "
    "intelligence to take the Trump administration’s warming relations with Russia into account, the "
    "sources said",
    "“Those discussions are already happening,” said a source with direct knowledge of the discussions.",
    "No decision or action has been taken, however, the sources said.",
    "Meanwhile, the United Kingdom, the most important U.S. intelligence partner, said it had no plans "
    "to reduce intelligence cooperation with the United States.",
    "“The U.S. is the UK’s closest ally and we will continue to cooperate closely on defence, "
    "intelligence and security matters,” a British government spokesperson said in an email.",
    "“Any suggestion otherwise is totally untrue.”",
    "Despite previous reports that some US allies are considering reducing the amount of intelligence "
    "information they share with Washington, the Canada Security Intelligence Service said that it has "
    "strong relationships with numerous U.S. agencies that are “long-standing and resilient.”",
    "It added, “Canada deeply values its partnership with the United States, and we believe that it is "
    "in the strategic interest of both countries to continue our strong national security cooperation.”",
    "However, some former U.S. intelligence officers say they are concerned that the Trump "
    "administration may opt to scale back intelligence collection aimed at Russia, as the U.S. may no "
    "longer see Russia as a top threat.",
    "“People are very worried,” a former intelligence official said.",
    "The administration, for example, has indicated it may place a higher priority on efforts to "
    "counter drug cartels from Mexico and other countries in the region.",
    "Already, the Defense Department has deployed more resources to the southern border, including a "
    "team of analysts.",
    "And the CIA has launched drone surveillance flights over Mexico as part of that effort.",
    "With Trump and his deputies echoing some of Russia’s talking points about the Ukraine war and "
    "indicating they hope to expand U.S. relations with Moscow, former intelligence officials say the "
    "administration may even share some sensitive information with Moscow.",
    "Notably, the US has recently ceased sharing intelligence with Ukraine concerning Russian military "
    "activities amidst the ongoing conflict following Trump's decision to suspend military aid to Kyiv.",
    "This cessation affects Ukraine's ability to conduct long-range drone strikes and monitor Russian "
    "military movements.",
    "White House officials suggest that resuming intelligence sharing is contingent upon progress in "
    "Trump-proposed peace talks.",
)

ENGLISH_LINES: tuple[str, ...] = (
    "By Khagan Isayev",
    "Views: 55",
    "Liked the story? Share it on social media!",
    "Any use of materials is allowed only if there is a hyperlink to Caliber.az",
    "The most important world news",
    "The quick brown fox jumps over the lazy dog.",
    "Prices rose by 3.5% in February, the statistics office said on Tuesday.",
    "The meeting is scheduled for 14:30 on 12 April 2025 in Baku.",
    "Call +1 (202) 555-0143 or write to news@example.com for details.",
    'She said: "We will publish the full report next week."',
    "About 1,250 people attended the summit, organisers said.",
    "The European Union and NATO discussed security in the South Caucasus.",
    "Armenia and Azerbaijan continue talks on a peace agreement.",
    "The president met the prime minister in Yerevan on Monday.",
)

RUSSIAN_LINES: tuple[str, ...] = (
    "Некоторые союзники США рассматривают возможность сократить обмен разведданными с Вашингтоном.",
    "Об этом сообщили четыре источника, непосредственно знакомые с ситуацией.",
    "Никакого решения пока не принято, заявили источники.",
    "Великобритания заявила, что не планирует сокращать сотрудничество с Соединёнными Штатами.",
    "«Эти обсуждения уже идут», — сказал один из источников.",
    "Белый дом предлагает возобновить обмен разведданными после мирных переговоров.",
    "Ссылка скопирована.",
    "Москва, 6 марта 2025 года.",
    "Любое использование материалов допускается только при наличии гиперссылки.",
    "Самые важные мировые новости.",
)

ARMENIAN_LINES: tuple[str, ...] = (
    "Հայաստանը գտնվում է Հարավային Կովկասում։",
    "Երևանը Հայաստանի մայրաքաղաքն է։",
    "Կառավարությունը հայտարարել է նոր ծրագրի մասին։",
    "Լրագրողները հարցեր տվեցին նախարարին։",
    "Այսօր եղանակը արևոտ է և տաք։",
    "Միացյալ Նահանգները և Ռուսաստանը շարունակում են բանակցությունները։",
    "Նորությունների կայքը թարմացվում է ամեն օր։",
    "Հետախուզական տվյալների փոխանակումը կարևոր է անվտանգության համար։",
    "Մենք շնորհակալ ենք մեր ընթերցողներին։",
    "Վաշինգտոնը և Լոնդոնը սերտ դաշնակիցներ են։",
)


def default_training_lines() -> list[str]:
    """Every line above, in a fixed order: the SentencePiece models' default training text."""
    return [*SAMPLE_ARTICLE_SENTENCES, *ENGLISH_LINES, *RUSSIAN_LINES, *ARMENIAN_LINES]
