// Small line icons drawn as SVG (emoji fonts are not on every computer or phone).
const common = {
  width: 16,
  height: 16,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 2,
  strokeLinecap: 'round' as const,
  strokeLinejoin: 'round' as const,
  'aria-hidden': true,
  focusable: false,
};

export const PaperclipIcon = () => (
  <svg {...common}>
    <path d="M21 12.5l-8.5 8.5a5.5 5.5 0 0 1-7.8-7.8l9.2-9.2a3.7 3.7 0 0 1 5.2 5.2l-9.2 9.2a1.8 1.8 0 0 1-2.6-2.6l8.5-8.5" />
  </svg>
);

export const StarIcon = ({ filled = true }: { filled?: boolean }) => (
  <svg {...common} fill={filled ? 'currentColor' : 'none'}>
    <path d="M12 2.5l2.9 6 6.6.9-4.8 4.6 1.2 6.5L12 17.4l-5.9 3.1 1.2-6.5-4.8-4.6 6.6-.9z" />
  </svg>
);

export const LinkIcon = () => (
  <svg {...common}>
    <path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7" />
    <path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7" />
  </svg>
);

export const QuoteIcon = () => (
  <svg {...common}>
    <path d="M7 7h4v4c0 3-1.5 5-4 6M15 7h4v4c0 3-1.5 5-4 6" />
  </svg>
);

/** Numbered list: "1" and "2" beside two lines (an icon, so the button's name is its label). */
export const NumberedListIcon = () => (
  <svg {...common}>
    <path d="M10 7h10M10 17h10M4 5.5l1.5-1V10M3.5 14.5c.5-1 2.5-1 2.5.5 0 1-2.5 2-2.5 3.5h2.5" />
  </svg>
);

export const BackIcon = () => (
  <svg {...common} width={20} height={20}>
    <path d="M15 5l-7 7 7 7" />
  </svg>
);

export const MenuIcon = () => (
  <svg {...common} width={20} height={20}>
    <path d="M4 6h16M4 12h16M4 18h16" />
  </svg>
);
